import { CreateKeyCommand, DisableKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { Client } from "pg";
import * as keyHooks from "../../provider/customer-key/hooks";
import * as hooks from "../../provider/secure-database/hooks";
import { clearClaims } from "../../provider/shared/claims";
import type { SecureDatabaseInputs, SecureDatabaseOutputs } from "../../provider/secure-database/types";
import { ACME_PRIVATE_APP, ACME_REPORTS_APP, ACME_EU_APP, startServices, type Services } from "../support/services";
import { control as emulatorControl } from "../emulator/helpers";

jest.setTimeout(180_000);

let services: Services;

beforeAll(async () => {
  services = await startServices();
  Object.assign(process.env, services.env);
  await control("PUT", "/speed", {
    "addon-provision": { ms: 300 },
    "addon-deprovision": { ms: 300 },
    "enhanced-certificates": { polls: 2 },
  });
});
afterAll(async () => {
  await services?.stop();
});

const control = (method: string, path: string, body?: unknown): Promise<unknown> =>
  emulatorControl(services.emulator.url, method, path, body);

/** A Platform/Data API call as an operator would make it out of band. */
async function heroku(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${services.emulator.url}${path}`, {
    method,
    headers: {
      Accept: "application/vnd.heroku+json; version=3",
      Authorization: `Bearer ${services.env.HEROKU_API_KEY}`,
      "Content-Type": "application/json",
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    /* HTML or empty */
  }
  return { status: res.status, json };
}

async function postgresAddons(app: string): Promise<{ id: string; name: string }[]> {
  const { json } = await heroku("GET", `/apps/${app}/addons`);
  return (json as { id: string; name: string; addon_service: { name: string } }[]).filter(
    (a) => a.addon_service.name === "heroku-postgresql",
  );
}

async function checked(raw: Record<string, unknown>): Promise<SecureDatabaseInputs> {
  const { inputs, failures } = await hooks.check({}, raw);
  expect(failures).toEqual([]);
  return inputs;
}

async function goodKeyArn(region = "us-east-1"): Promise<string> {
  const { inputs } = await keyHooks.check({}, { region });
  return (await keyHooks.create(inputs)).outs.arn;
}

/** Connects with the URL as given (libpq semantics for sslmode) and says whether the session is encrypted. */
async function sslInUse(url: string): Promise<boolean> {
  const sep = url.includes("?") ? "&" : "?";
  const client = new Client({
    connectionString: url.includes("sslmode=require") ? `${url}${sep}uselibpqcompat=true` : url,
  });
  await client.connect();
  try {
    const r = await client.query<{ ssl: boolean }>("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
    return r.rows[0]?.ssl === true;
  } finally {
    await client.end();
  }
}

describe("SecureDatabase with a customer key", () => {
  let id: string;
  let outs: SecureDatabaseOutputs;
  let inputs: SecureDatabaseInputs;

  beforeAll(async () => {
    inputs = await checked({
      app: ACME_PRIVATE_APP,
      plan: "heroku-postgresql:private-0",
      encryptionKeyArn: await goodKeyArn(),
    });
    ({ id, outs } = await hooks.create(inputs));
  });

  it("waits for provisioning and reports the key as Heroku sees it", () => {
    expect(outs).toMatchObject({
      addonId: id,
      state: "provisioned",
      region: "virginia",
      plan: "heroku-postgresql:private-0",
      encryptionKeyArn: inputs.encryptionKeyArn,
      enhancedCertificates: false,
      enhancedCertificatesStatus: "Disabled",
      configVarName: "DATABASE_URL",
    });
    expect(outs.connectionUrl).toMatch(/^postgres:\/\/.+sslmode=require/);
  });

  it("connects over TLS with the output URL", async () => {
    expect(await sslInUse(outs.connectionUrl)).toBe(true);
  });

  it("reads back without drift", async () => {
    const r = await hooks.read(id, outs);
    expect(r.props).toEqual(outs);
    expect((await hooks.diff(id, r.props as SecureDatabaseOutputs, inputs)).changes).toBe(false);
  });

  it("turns Enhanced Certificates on in place; the new URL verifies the server (verify-full)", async () => {
    const wanted = await checked({ ...inputs, enhancedCertificates: true });
    expect(await hooks.diff(id, outs, wanted)).toMatchObject({
      changes: true,
      replaces: [],
      updates: ["enhancedCertificates"],
    });
    const updated = (await hooks.update(id, outs, wanted)).outs;
    expect(updated).toMatchObject({ addonId: id, enhancedCertificates: true, enhancedCertificatesStatus: "Enabled" });
    expect(updated.connectionUrl).toContain("sslmode=verify-full");
    expect(updated.connectionUrl).not.toBe(outs.connectionUrl);
    expect(await sslInUse(updated.connectionUrl)).toBe(true);
    outs = updated;
    inputs = wanted;
  });

  it("shows Enhanced Certificates turned off out of band as drift on refresh", async () => {
    const put = await heroku("PUT", `/client/v11/enhanced_certificates/${outs.addonName}/disable`);
    expect(put.status).toBe(200);
    let status = "";
    for (let i = 0; i < 20 && status !== "Disabled"; i++) {
      status = (
        (await heroku("GET", `/client/v11/enhanced_certificates/${outs.addonName}/status`)).json as { status: string }
      ).status;
    }
    const r = await hooks.read(id, outs);
    expect(r.props).toMatchObject({ enhancedCertificates: false, enhancedCertificatesStatus: "Disabled" });
    expect(r.inputs?.enhancedCertificates).toBe(false);
    expect(await hooks.diff(id, r.props as SecureDatabaseOutputs, inputs)).toMatchObject({
      updates: ["enhancedCertificates"],
      replaces: [],
    });
    outs = r.props as SecureDatabaseOutputs;
  });

  it("replaces on a new key, and changes the plan in place", async () => {
    const d = await hooks.diff(id, outs, {
      ...inputs,
      plan: "heroku-postgresql:private-2",
      encryptionKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    });
    expect(d.replaces).toEqual(["encryptionKeyArn"]);
    expect(d.updates).toContain("plan"); // enhancedCertificates too: the previous test left it off at Heroku
  });

  it("deletes and waits for the 404; deleting again is fine", async () => {
    await hooks.delete(id, outs);
    expect((await heroku("GET", `/apps/${ACME_PRIVATE_APP}/addons/${id}`)).status).toBe(404);
    expect(await hooks.read(id, outs)).toEqual({});
    await expect(hooks.delete(id, outs)).resolves.toBeUndefined();
  });
});

describe("SecureDatabase refusals leave no add-on behind", () => {
  const kms = () => new KMSClient({ region: "us-east-1" });
  const app = ACME_REPORTS_APP;

  afterEach(async () => {
    expect(await postgresAddons(app)).toEqual([]);
  });

  it("a key policy without Heroku's account: provisioning fails, the add-on is deleted, Heroku's reason is shown", async () => {
    const arn = (await kms().send(new CreateKeyCommand({ Description: "no heroku grant" }))).KeyMetadata?.Arn ?? "";
    const inputs = await checked({ app, plan: "heroku-postgresql:private-0", encryptionKeyArn: arn });
    const err = (await hooks.create(inputs).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(
      /^creating SecureDatabase heroku-postgresql:private-0 on app acme-reports: Heroku could not provision add-on \S+ on app acme-reports: .+\. The failed add-on was deleted; fix the cause and run pulumi up again\.$/,
    );
    expect("id" in err).toBe(false);
  });

  it("a disabled key: refused before the add-on is created", async () => {
    const arn = await goodKeyArn();
    await kms().send(new DisableKeyCommand({ KeyId: arn.split("/")[1] }));
    await control("DELETE", "/requests");
    const inputs = await checked({ app, plan: "heroku-postgresql:private-0", encryptionKeyArn: arn });
    await expect(hooks.create(inputs)).rejects.toThrow(
      `encryptionKeyArn ${arn} is Disabled; Heroku can only provision with an Enabled key (aws kms enable-key)`,
    );
    const requests = (await control("GET", "/requests")) as { method: string }[];
    expect(requests.filter((r) => r.method === "POST")).toEqual([]);
  });

  it("a key in another region than the app's space: refused before the add-on is created", async () => {
    const arn = await goodKeyArn("us-west-2");
    const rule =
      "encryptionKeyArn is a key in us-west-2, but app acme-reports runs in acme-private in virginia (us-east-1); the key must be in us-east-1";
    // At preview when the ARN is known, and at create (where an ARN unknown at preview is checked).
    const checkedNow = await hooks.check({}, { app, plan: "heroku-postgresql:private-0", encryptionKeyArn: arn });
    expect(checkedNow.failures).toEqual([{ property: "", reason: rule }]);
    await expect(hooks.create(checkedNow.inputs)).rejects.toThrow(rule);
  });

  it("a multi-Region key: refused by check", async () => {
    const { failures } = await hooks.check(
      {},
      {
        app,
        plan: "heroku-postgresql:private-0",
        encryptionKeyArn: "arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab",
      },
    );
    expect(failures).toEqual([
      {
        property: "",
        reason: "encryptionKeyArn names a multi-Region key (mrk-...), which Heroku Postgres does not support",
      },
    ]);
  });
});

describe("SecureDatabase adoption", () => {
  it("adopts an add-on made outside Pulumi, with the name Heroku gave it", async () => {
    const made = await heroku("POST", `/apps/${ACME_EU_APP}/addons`, {
      plan: { name: "heroku-postgresql:private-0" },
      attachment: { name: "LEGACY" },
    });
    expect(made.status).toBe(201);
    const addon = made.json as { id: string; name: string };
    const inputs = await checked({
      app: ACME_EU_APP,
      plan: "heroku-postgresql:private-0",
      adoptAddonId: addon.id,
      attachmentName: "LEGACY",
    });
    const { id, outs } = await hooks.create(inputs);
    expect(id).toBe(addon.id);
    expect(outs).toMatchObject({
      addonName: addon.name,
      region: "frankfurt",
      configVarName: "LEGACY_URL",
      state: "provisioned",
    });
    expect(await sslInUse(outs.connectionUrl)).toBe(true);
    expect((await hooks.diff(id, outs, inputs)).changes).toBe(false);
    // In the run that adopted it, an old resource's delete leaves it to this one; a later run may delete it.
    await hooks.delete(id, outs);
    expect((await postgresAddons(ACME_EU_APP)).map((a) => a.id)).toEqual([addon.id]);
    clearClaims();
    await hooks.delete(id, outs);
    expect(await postgresAddons(ACME_EU_APP)).toEqual([]);
  });

  it("refuses an add-on of another plan, creating nothing", async () => {
    const made = await heroku("POST", `/apps/${ACME_EU_APP}/addons`, { plan: "heroku-postgresql:private-2" });
    const addon = made.json as { id: string };
    const inputs = await checked({ app: ACME_EU_APP, plan: "heroku-postgresql:private-0", adoptAddonId: addon.id });
    await expect(hooks.create(inputs)).rejects.toThrow(
      /has plan heroku-postgresql:private-2 but plan is heroku-postgresql:private-0/,
    );
    expect((await postgresAddons(ACME_EU_APP)).map((a) => a.id)).toEqual([addon.id]);
  });
});
