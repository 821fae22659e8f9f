// BYOK: input checks at create, the KMS checks at provisioning (moto), and a key disabled after provisioning.
import { CreateKeyCommand, DisableKeyCommand, EnableKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { Client } from "pg";
import { startServices, type Services } from "../support/services";
import { api, control, libpq, pollUntil, provisioned, row, whoAmI, type AddonJson, type InfoJson } from "./helpers";

jest.setTimeout(120_000);
let s: Services;
let base: string;

const HEROKU = "arn:aws:iam::021876802972:root";

function kms(region: string): KMSClient {
  return new KMSClient({
    region,
    endpoint: s.moto.endpoint,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
}

function policy(herokuActions: string[] | undefined): string {
  const statements: unknown[] = [
    {
      Sid: "Owner",
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::123456789012:root" },
      Action: "kms:*",
      Resource: "*",
    },
  ];
  if (herokuActions) {
    statements.push({
      Sid: "HerokuData",
      Effect: "Allow",
      Principal: { AWS: [HEROKU] },
      Action: herokuActions,
      Resource: "*",
    });
  }
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** moto's DisableKey/EnableKey take the bare key id (it fails on a full ARN). */
const keyId = (arn: string): string => arn.slice(arn.indexOf("/") + 1);

const GOOD_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"];

async function createKey(
  region: string,
  opts: { actions?: string[] | undefined; multiRegion?: boolean } = {},
): Promise<string> {
  const actions = "actions" in opts ? opts.actions : GOOD_ACTIONS;
  const r = await kms(region).send(
    new CreateKeyCommand({ Policy: policy(actions), MultiRegion: opts.multiRegion ?? false }),
  );
  return r.KeyMetadata!.Arn!;
}

async function failedWith(app: string, plan: string, arn: string): Promise<{ addon: AddonJson; wait: unknown }> {
  const { addon } = await provisioned(base, app, { plan, config: { "encryption-key": arn } });
  const wait = (await api(base, "GET", `/client/v11/databases/${addon.id}/wait_status`)).json;
  return { addon, wait };
}

beforeAll(async () => {
  s = await startServices();
  base = s.emulator.url;
  await control(base, "PUT", "/speed", { "addon-provision": "immediate" });
});
afterAll(async () => s?.stop());

describe("checks at create (422 at once)", () => {
  test.each([
    ["not an ARN", "my-key"],
    ["an alias ARN", "arn:aws:kms:us-east-1:123456789012:alias/heroku"],
    ["a short account", "arn:aws:kms:us-east-1:1234:key/0b2c7a8e-1111-2222-3333-444455556666"],
  ])("a malformed ARN (%s)", async (_label, arn) => {
    const r = await api<{ id: string; message: string }>(base, "POST", "/apps/acme-api/addons", {
      body: { plan: "heroku-postgresql:private-0", config: { "encryption-key": arn } },
    });
    expect(r.status).toBe(422);
    expect(r.json.id).toBe("invalid_params");
    expect(r.json.message).toContain("encryption-key");
  });

  test("a plan that is not Private or Shield", async () => {
    const arn = await createKey("us-east-1");
    const r = await api<{ id: string; message: string }>(base, "POST", "/apps/acme-api/addons", {
      body: { plan: "heroku-postgresql:standard-0", config: { "encryption-key": arn } },
    });
    expect([r.status, r.json.id]).toEqual([422, "invalid_params"]);
    expect(r.json.message).toMatch(/Private and Shield/);
  });
});

describe("checks at provisioning (state deprovisioned, provision_message)", () => {
  test.each<[string, () => Promise<string>, RegExp]>([
    [
      "a key policy without Heroku's account",
      () => createKey("us-east-1", { actions: undefined }),
      /does not allow Heroku's AWS account 021876802972/,
    ],
    [
      "a policy granting Heroku only DescribeKey",
      () => createKey("us-east-1", { actions: ["kms:DescribeKey"] }),
      /missing kms:Encrypt, kms:Decrypt, kms:GenerateDataKey/,
    ],
    [
      "a disabled key",
      async () => {
        const arn = await createKey("us-east-1");
        await kms("us-east-1").send(new DisableKeyCommand({ KeyId: keyId(arn) }));
        return arn;
      },
      /is not enabled \(key state Disabled\)/,
    ],
    ["a multi-region key", () => createKey("us-east-1", { multiRegion: true }), /multi-region/],
    ["a key in another region", () => createKey("us-west-2"), /is in us-west-2, but the database is in us-east-1/],
    [
      "a key that does not exist",
      async () => "arn:aws:kms:us-east-1:123456789012:key/0b2c7a8e-1111-2222-3333-444455556666",
      /was not found/,
    ],
  ])("%s", async (_label, makeKey, reason) => {
    const arn = await makeKey();
    const { addon, wait } = await failedWith("acme-api", "heroku-postgresql:private-0", arn);
    expect(addon.state).toBe("deprovisioned");
    expect(addon.provision_message).toMatch(reason);
    expect(addon.provision_message).toContain(arn);
    expect(wait).toEqual({ "waiting?": false, "error?": true, message: addon.provision_message });
    expect(addon.config_vars).toEqual([]);
  });
});

describe("a good key", () => {
  let arn: string;
  let url: string;
  let addonId: string;

  test("provisions; the Customer Encryption Key row shows the ARN", async () => {
    arn = await createKey("us-west-2");
    const { addon, vars } = await provisioned(base, "acme-vault", {
      plan: "heroku-postgresql:shield-0",
      config: { "encryption-key": arn },
    });
    expect(addon.state).toBe("provisioned");
    addonId = addon.id;
    url = vars.DATABASE_URL!;
    const info = (await api<InfoJson>(base, "GET", `/client/v11/databases/${addon.id}`)).json;
    expect(row(info, "Customer Encryption Key")).toEqual([arn]);
    expect(row(info, "Status")).toEqual(["Available"]);
    expect((await whoAmI(url)).ssl).toBe(true);
  });

  test("disabling the key makes the database refuse connections, open ones included, until it is enabled", async () => {
    const open = new Client({ connectionString: libpq(url) });
    open.on("error", () => undefined);
    await open.connect();
    await kms("us-west-2").send(new DisableKeyCommand({ KeyId: keyId(arn) }));
    const sync = await control<{ changed: string[] }>(base, "POST", "/kms-sync");
    expect(sync.changed).toHaveLength(1);
    await expect(open.query("select 1")).rejects.toThrow();
    await expect(whoAmI(url)).rejects.toThrow(/not currently accepting connections/);
    const info = (await api<InfoJson>(base, "GET", `/client/v11/databases/${addonId}`)).json;
    expect(row(info, "Status")).toEqual(["Unavailable: customer encryption key is disabled"]);

    await kms("us-west-2").send(new EnableKeyCommand({ KeyId: keyId(arn) }));
    // No kms-sync this time: the periodic check notices within a few seconds.
    await pollUntil(
      async () => row((await api<InfoJson>(base, "GET", `/client/v11/databases/${addonId}`)).json, "Status")?.[0],
      (st) => st === "Available",
      15_000,
    );
    expect((await whoAmI(url)).ssl).toBe(true);
  });
});
