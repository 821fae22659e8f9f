import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { CreateKeyCommand, DescribeKeyCommand, type KMSClient } from "@aws-sdk/client-kms";
import { makeKmsClient } from "../../../provider/kms/client";
import {
  KMS_THROTTLE_BASE_DELAY_MS,
  KMS_THROTTLE_MAX_ATTEMPTS,
  KMS_THROTTLE_MAX_DELAY_MS,
  KMS_TRANSIENT_MAX_ATTEMPTS,
} from "../../../provider/kms/errors";
import { ProviderError } from "../../../provider/shared/errors";

/** A scripted KMS: each request takes the next answer; the operation comes from X-Amz-Target. */
type Answer = { status: number; body: unknown } | "drop";
const SECRET = "hps-unit-aws-secret-0001";
let server: http.Server;
let endpoint = "";
let answers: Answer[] = [];
let seen: string[] = [];
let sleeps: number[] = [];

const describeOk = {
  status: 200,
  body: { KeyMetadata: { KeyId: "k1", Arn: "arn:aws:kms:us-east-1:123456789012:key/k1", KeyState: "Enabled" } },
};
const throttled = { status: 400, body: { __type: "ThrottlingException", message: "Rate exceeded" } };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(String(req.headers["x-amz-target"]).replace("TrentService.", ""));
    req.resume();
    const answer = answers.shift() ?? { status: 500, body: { __type: "ScriptEnded", message: "no answer" } };
    if (answer === "drop") {
      req.socket.destroy();
      return;
    }
    res.writeHead(answer.status, { "Content-Type": "application/x-amz-json-1.1" });
    res.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.AWS_ACCESS_KEY_ID = "hps-unit-access-key";
  process.env.AWS_SECRET_ACCESS_KEY = SECRET;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  answers = [];
  seen = [];
  sleeps = [];
});

function client(): KMSClient {
  return makeKmsClient("us-east-1", { endpoint, random: () => 1, sleep: async (ms) => void sleeps.push(ms) });
}

describe("the KMS client", () => {
  it("repeats a throttled call with growing, capped backoff until it gets through", async () => {
    answers = [throttled, throttled, throttled, describeOk];
    const r = await client().send(new DescribeKeyCommand({ KeyId: "k1" }));
    expect(r.KeyMetadata?.KeyId).toBe("k1");
    expect(seen).toEqual(["DescribeKey", "DescribeKey", "DescribeKey", "DescribeKey"]);
    // random() = 1 takes the top of each jitter range: base, 2 x base, 4 x base.
    expect(sleeps).toEqual([1, 2, 4].map((n) => Math.min(KMS_THROTTLE_MAX_DELAY_MS, n * KMS_THROTTLE_BASE_DELAY_MS)));
  });

  it("repeats even a throttled CreateKey, which KMS refused before doing anything", async () => {
    answers = [throttled, { status: 200, body: { KeyMetadata: { KeyId: "k2" } } }];
    const r = await client().send(new CreateKeyCommand({}));
    expect(r.KeyMetadata?.KeyId).toBe("k2");
    expect(seen).toEqual(["CreateKey", "CreateKey"]);
  });

  it("gives up after the bound with an error that says KMS throttled, which call, and what to do", async () => {
    answers = Array.from({ length: KMS_THROTTLE_MAX_ATTEMPTS + 2 }, () => throttled);
    const err = (await client()
      .send(new DescribeKeyCommand({ KeyId: "k1" }))
      .catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(ProviderError);
    expect(seen).toHaveLength(KMS_THROTTLE_MAX_ATTEMPTS);
    expect(sleeps).toHaveLength(KMS_THROTTLE_MAX_ATTEMPTS - 1);
    expect(Math.max(...sleeps)).toBe(KMS_THROTTLE_MAX_DELAY_MS);
    const waited = Math.round(sleeps.reduce((a, b) => a + b, 0) / 1000);
    expect(err.message).toBe(
      `AWS KMS throttled the request: DescribeKey answered ThrottlingException on all ${KMS_THROTTLE_MAX_ATTEMPTS} attempts over ${waited}s, ` +
        "so the account's KMS request quota in this Region is used up. Nothing after this call was done; wait a minute and run " +
        "pulumi up again, and if it keeps happening lower the apply's parallelism (pulumi up --parallel) or ask AWS for a higher " +
        "KMS request quota (Service Quotas)",
    );
  });

  it("repeats a dropped connection a bounded number of times, but never a CreateKey", async () => {
    answers = ["drop", describeOk];
    expect((await client().send(new DescribeKeyCommand({ KeyId: "k1" }))).KeyMetadata?.KeyId).toBe("k1");
    expect(seen).toHaveLength(2);

    seen = [];
    answers = Array.from({ length: KMS_TRANSIENT_MAX_ATTEMPTS + 1 }, () => "drop" as const);
    await expect(client().send(new DescribeKeyCommand({ KeyId: "k1" }))).rejects.toThrow();
    expect(seen).toHaveLength(KMS_TRANSIENT_MAX_ATTEMPTS);

    seen = [];
    answers = ["drop", { status: 200, body: { KeyMetadata: { KeyId: "k3" } } }];
    await expect(client().send(new CreateKeyCommand({}))).rejects.toThrow();
    expect(seen).toEqual(["CreateKey"]);
  });

  it.each([
    ["UnrecognizedClientException", "The security token included in the request is invalid."],
    ["InvalidSignatureException", "The request signature we calculated does not match the signature you provided."],
  ])("names the AWS credentials to check on %s, without printing them", async (type, message) => {
    answers = [{ status: 400, body: { __type: type, message } }];
    const err = (await client()
      .send(new DescribeKeyCommand({ KeyId: "k1" }))
      .catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(
      `AWS KMS refused DescribeKey (${type}): the AWS credentials are missing, invalid or expired. Check the AWS ` +
        "credentials of the environment that runs pulumi (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, " +
        "AWS_SESSION_TOKEN, or the profile named by AWS_PROFILE)",
    );
    expect(seen).toHaveLength(1);
    expect(`${err.message}\n${String(err.stack)}`).not.toContain(SECRET);
  });

  it("names the identity and the permission on AccessDeniedException", async () => {
    const aws = "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: kms:CreateKey";
    answers = [{ status: 400, body: { __type: "AccessDeniedException", message: aws } }];
    const err = (await client()
      .send(new CreateKeyCommand({}))
      .catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(
      /^AWS KMS refused CreateKey \(AccessDeniedException\): .*AWS_PROFILE or AWS_ACCESS_KEY_ID/,
    );
    expect(err.message).toContain(`allow kms:CreateKey. AWS said: ${aws}`);
  });

  it("passes other answers through unchanged, so NotFoundException still means gone", async () => {
    answers = [{ status: 400, body: { __type: "NotFoundException", message: "Key 'k9' does not exist" } }];
    const err = (await client()
      .send(new DescribeKeyCommand({ KeyId: "k9" }))
      .catch((e: unknown) => e)) as Error;
    expect(err.name).toBe("NotFoundException");
    expect(seen).toHaveLength(1);
  });
});
