// examples/byok-database through the real Pulumi CLI: up, no-change preview and up, drift on refresh, adoption,
// destroy, and a stack export free of the password.
import * as path from "node:path";
import { CreateKeyCommand, DescribeKeyCommand, KMSClient, PutKeyPolicyCommand } from "@aws-sdk/client-kms";
import { Client } from "pg";
import { buildKeyPolicy } from "../../sdk/key-policy";
import { type Services } from "../support/services";
import { libpqUrl } from "../support/pg";
import { runStack, type StackOptions } from "../support/pulumi";
import { controlJson, herokuJson, mutatingRequests } from "./emulator-client";
import { setUpE2e, tearDownE2e } from "./fixture";

jest.setTimeout(10 * 60_000);

let services: Services;
let workDir: string;

const program = "dist/examples/byok-database/index.js";

function options(stack: string, extra: Partial<StackOptions> = {}): StackOptions {
  return {
    program,
    project: "byok-database",
    stack,
    stateDir: path.join(workDir, "state"),
    env: services.env,
    ...extra,
  };
}

function kms(): KMSClient {
  return new KMSClient({
    region: "us-east-1",
    endpoint: services.env.AWS_ENDPOINT_URL_KMS,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
}

async function keyState(keyId: string): Promise<string | undefined> {
  const r = await kms().send(new DescribeKeyCommand({ KeyId: keyId }));
  return r.KeyMetadata?.KeyState;
}

async function connect(url: string): Promise<{ user: string; ssl: boolean }> {
  const client = new Client({ connectionString: libpqUrl(url) });
  await client.connect();
  try {
    const r = await client.query<{ user: string; ssl: boolean }>(
      "select current_user as user, ssl from pg_stat_ssl where pid = pg_backend_pid()",
    );
    const row = r.rows[0];
    if (!row) throw new Error("no row");
    return row;
  } finally {
    await client.end();
  }
}

beforeAll(async () => ({ services, workDir } = await setUpE2e("byok")));
afterAll(() => tearDownE2e(services, workDir));

describe("byok-database example", () => {
  const stack = "main";
  let connectionUrl = "";
  let addonName = "";
  let keyId = "";

  test("up creates the key and an encrypted database whose URL connects over TLS", async () => {
    const r = await runStack("up", options(stack, { config: { alias: "alias/e2e-main" }, showSecrets: true }));
    expect(r.error).toBeUndefined();
    expect(r.summary?.create).toBe(3); // the stack, the key, the database
    connectionUrl = String(r.outputs?.connectionUrl);
    addonName = String(r.outputs?.addonName);
    keyId = String(r.outputs?.keyId);
    expect(connectionUrl).toMatch(/^postgres:\/\/[^:]+:[A-Za-z0-9]{65}@/);
    expect(await keyState(keyId)).toBe("Enabled");
    const info = await herokuJson<{ info: { name: string; values: string[] }[] }>(
      services,
      "GET",
      `/client/v11/databases/${addonName}`,
    );
    const keyRow = info.info.find((row) => row.name === "Customer Encryption Key");
    expect(keyRow?.values).toEqual([r.outputs?.keyArn]);
    expect((await connect(connectionUrl)).ssl).toBe(true);
    // The CLI printed the outputs, but never the password.
    expect(r.log).not.toContain(connectionUrl.split("@")[0]!.split(":")[2]!);
  });

  test("preview and up after up change nothing and call no mutating API", async () => {
    await controlJson(services, "DELETE", "/requests");
    const preview = await runStack("preview", options(stack, { expectNoChanges: true }));
    expect(preview.error).toBeUndefined();
    expect(preview.changeSummary?.same).toBe(3);
    const up = await runStack("up", options(stack, { expectNoChanges: true }));
    expect(up.error).toBeUndefined();
    expect(await mutatingRequests(services)).toEqual([]);
  });

  test("refresh shows Enhanced Certificates switched on outside the stack, and up switches them back", async () => {
    await herokuJson(services, "PUT", `/client/v11/enhanced_certificates/${addonName}/enable`);
    const refresh = await runStack("refresh", options(stack));
    expect(refresh.error).toBeUndefined();
    expect(refresh.summary?.update).toBe(1);
    const up = await runStack("up", options(stack));
    expect(up.error).toBeUndefined();
    expect(up.summary?.update).toBe(1);
    const status = await herokuJson<{ status: string }>(
      services,
      "GET",
      `/client/v11/enhanced_certificates/${addonName}/status`,
    );
    expect(status.status).toBe("Disabled");
  });

  test("the stack export holds no plaintext password", async () => {
    const exported = await runStack("export", options(stack));
    const text = JSON.stringify(exported.deployment);
    const password = new URL(connectionUrl).password;
    expect(password).toHaveLength(65);
    expect(text).not.toContain(password);
    expect(text).toContain("ciphertext");
  });

  test("destroy removes the add-on and leaves the key in KMS (removalPolicy retain, the default)", async () => {
    const r = await runStack("destroy", options(stack));
    expect(r.error).toBeUndefined();
    const addons = await herokuJson<{ name: string }[]>(services, "GET", "/apps/acme-api/addons");
    expect(addons.map((a) => a.name)).not.toContain(addonName);
    expect(await keyState(keyId)).toBe("Enabled");
  });
});

describe("adoption", () => {
  test("adopts a key and a database made outside Pulumi instead of creating new ones", async () => {
    const made = await kms().send(new CreateKeyCommand({ Description: "made by hand" }));
    const keyId = made.KeyMetadata?.KeyId ?? "";
    const accountId = made.KeyMetadata?.AWSAccountId ?? "";
    await kms().send(
      new PutKeyPolicyCommand({
        KeyId: keyId,
        PolicyName: "default",
        Policy: JSON.stringify(buildKeyPolicy({ accountId })),
      }),
    );
    const addon = await herokuJson<{ id: string; name: string }>(services, "POST", "/apps/acme-reports/addons", {
      plan: "heroku-postgresql:private-0",
      config: { "encryption-key": made.KeyMetadata?.Arn },
    });
    await controlJson(services, "POST", "/kms-sync");
    await controlJson(services, "DELETE", "/requests");

    const config = { app: "acme-reports", alias: "alias/e2e-adopted", adoptKeyId: keyId, adoptAddonId: addon.id };
    const r = await runStack("up", options("adopt", { config }));
    expect(r.error).toBeUndefined();
    expect(r.outputs?.addonName).toBe(addon.name);
    expect(r.outputs?.keyId).toBe(keyId);
    const creates = (await mutatingRequests(services)).filter(
      (req) => req.method === "POST" && req.path.endsWith("/addons"),
    );
    expect(creates).toEqual([]);
    const addons = await herokuJson<{ name: string }[]>(services, "GET", "/apps/acme-reports/addons");
    expect(addons).toHaveLength(1);

    const destroyed = await runStack("destroy", options("adopt"));
    expect(destroyed.error).toBeUndefined();
    expect(await keyState(keyId)).toBe("Enabled");
  });
});
