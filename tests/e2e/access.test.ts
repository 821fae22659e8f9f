// Refused credentials through the real Pulumi CLI (issue 6): a bad Heroku token, another team's token, and AWS
// credentials KMS refuses. Each error must say which credential to check, and the credential's value must appear
// nowhere: not in the CLI's output, not in the error, not in the stack's state.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startKmsFaultProxy, type KmsFaultProxy } from "../support/kms-fault-proxy";
import { ACME_PRIVATE_APP, GLOBEX_TOKEN, startServices, type Services } from "../support/services";
import { runStack, type StackOptions, type StackResult } from "../support/pulumi";
import { controlJson, type LoggedRequest } from "./emulator-client";
import { stackOptions, PROGRAMS } from "./fixture";

jest.setTimeout(10 * 60_000);

let services: Services;
let proxy: KmsFaultProxy;
let workDir: string;

function byok(stack: string, env: Record<string, string>): StackOptions {
  return stackOptions(
    PROGRAMS.byokDatabase,
    { workDir, env: { ...services.env, AWS_ENDPOINT_URL_KMS: proxy.endpoint, ...env } },
    stack,
    {
      config: { alias: `alias/access-${stack}`, app: ACME_PRIVATE_APP },
    },
  );
}

/** Everything a user or a log collector could see of a run: the CLI's output, the error and the state. */
async function everythingShown(run: StackResult, options: StackOptions): Promise<string> {
  const exported = await runStack("export", options);
  return [run.log, run.error ?? "", JSON.stringify(exported.deployment ?? {})].join("\n");
}

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "hps-e2e-access-"));
  services = await startServices();
  proxy = await startKmsFaultProxy(services.moto.endpoint);
});

afterAll(async () => {
  await proxy?.stop();
  await services?.stop();
  fs.rmSync(workDir, { recursive: true, force: true });
});

beforeEach(async () => {
  proxy.clear();
  await controlJson(services, "DELETE", "/requests");
});

test("a bad HEROKU_API_KEY: the error names HEROKU_API_KEY and never shows the token", async () => {
  const token = "hps-not-a-valid-token-7f3a9c41";
  const options = byok("bad-token", { HEROKU_API_KEY: token });
  const r = await runStack("up", options);
  // The preview's first read (the plan list) is refused, and the check says so before anything is made.
  expect(r.error).toMatch(
    /Heroku Platform API GET \/addon-services\/heroku-postgresql\/plans answered 401 unauthorized: Invalid credentials provided\. Check HEROKU_API_KEY: the token is missing, expired or revoked \(heroku auth:token shows a valid one\)/,
  );
  expect(await everythingShown(r, options)).not.toContain(token);
  // Refused at the first call; nothing was attempted after it.
  const log = await controlJson<LoggedRequest[]>(services, "GET", "/requests");
  expect(log.map((x) => `${x.method} ${x.path} ${x.status}`)).toEqual([
    "GET /addon-services/heroku-postgresql/plans 401",
  ]);
});

test("another team's token against acme's app: 403 names HEROKU_API_KEY and the missing access, never the token", async () => {
  const options = byok("other-team", { HEROKU_API_KEY: GLOBEX_TOKEN });
  const r = await runStack("up", options);
  // Refused at check, on the field: the app is not visible to this token.
  expect(r.error).toMatch(
    /SecureDatabase resource 'orders-db' has a problem: app: app "acme-api" is not visible to the account of HEROKU_API_KEY \(Heroku answered 403\); use a token of its team or fix the name/,
  );
  expect(await everythingShown(r, options)).not.toContain(GLOBEX_TOKEN);
  const log = await controlJson<LoggedRequest[]>(services, "GET", "/requests");
  expect(log.filter((x) => x.method !== "GET")).toEqual([]);
});

test("AWS credentials KMS refuses: the error names the AWS credentials to check and never shows them", async () => {
  const secret = "hps-e2e-aws-secret-key-0b5e77d2";
  const start = proxy.calls().length;
  proxy.failFraction(1, {
    type: "UnrecognizedClientException",
    message: "The security token included in the request is invalid.",
  });
  const options = byok("bad-aws", { AWS_SECRET_ACCESS_KEY: secret });
  const r = await runStack("up", options);
  expect(r.error).toMatch(
    /creating CustomerKey alias\/access-bad-aws in us-east-1: AWS KMS refused CreateKey \(UnrecognizedClientException\): the AWS credentials are missing, invalid or expired\. Check the AWS credentials of the environment that runs pulumi \(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, or the profile named by AWS_PROFILE\)/,
  );
  // Refused credentials are not worth repeating: one call.
  expect(proxy.calls().slice(start)).toEqual([{ operation: "CreateKey", outcome: "UnrecognizedClientException" }]);
  expect(await everythingShown(r, options)).not.toContain(secret);
});
