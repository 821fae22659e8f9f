// Real PostgreSQL behind each add-on: TLS-only connections with the config var URL, Enhanced Certificates with
// verify-full, and the Data API info rows.
import { Client } from "pg";
import { startServices, type Services } from "../support/services";
import { api, control, libpq, pollUntil, provisioned, row, whoAmI, type InfoJson } from "./helpers";

jest.setTimeout(120_000);
let s: Services;
let base: string;

beforeAll(async () => {
  s = await startServices();
  base = s.emulator.url;
  await control(base, "PUT", "/speed", { "addon-provision": "immediate", "enhanced-certificates": "immediate" });
});
afterAll(async () => s?.stop());

async function connectFails(connectionString: string): Promise<string> {
  const client = new Client({ connectionString, connectionTimeoutMillis: 5000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (err) {
    return (err as Error).message;
  }
  await client.end();
  throw new Error("connection unexpectedly succeeded");
}

describe("connections", () => {
  test("DATABASE_URL connects over TLS as the database's owner role", async () => {
    const { vars } = await provisioned(base, "acme-api", { plan: "heroku-postgresql:private-0" });
    const url = new URL(vars.DATABASE_URL!);
    const me = await whoAmI(vars.DATABASE_URL!);
    expect(me).toEqual({ user: url.username, ssl: true, db: url.pathname.slice(1) });
  });

  test("a non-TLS connection is refused, and so is a wrong password", async () => {
    const { vars } = await provisioned(base, "acme-api", { plan: "heroku-postgresql:private-0" });
    const plain = vars.HEROKU_POSTGRESQL_AMBER_URL!.replace("sslmode=require", "sslmode=disable");
    expect(await connectFails(plain)).toMatch(/no pg_hba.conf entry|no encryption/);
    const wrong = new URL(libpq(vars.HEROKU_POSTGRESQL_AMBER_URL!));
    wrong.password = "x".repeat(65);
    expect(await connectFails(wrong.toString())).toMatch(/password authentication failed/);
  });

  test("one database's role cannot connect to another's database: each database is its own cluster", async () => {
    const vars = (await api<Record<string, string>>(base, "GET", "/apps/acme-api/config-vars")).json;
    const a = new URL(vars.DATABASE_URL!);
    const b = new URL(vars.HEROKU_POSTGRESQL_AMBER_URL!);
    const otherDatabase = new URL(a);
    otherDatabase.pathname = b.pathname;
    expect(await connectFails(libpq(otherDatabase.toString()))).toMatch(/database "d\w+" does not exist/);
    const otherDoor = new URL(a);
    otherDoor.port = b.port;
    otherDoor.pathname = b.pathname;
    expect(await connectFails(libpq(otherDoor.toString()))).toMatch(/password authentication failed/);
  });

  test("verify-full against a non-enhanced URL fails: the certificate names localhost, not 127.0.0.1", async () => {
    const vars = (await api<Record<string, string>>(base, "GET", "/apps/acme-api/config-vars")).json;
    const url = vars.DATABASE_URL!.replace(
      "sslmode=require",
      `sslmode=verify-full&sslrootcert=${s.emulator.publicRootPath}`,
    );
    expect(await connectFails(libpq(url))).toMatch(/Hostname\/IP does not match|IP: 127.0.0.1 is not in the cert/);
  });
});

describe("Enhanced Certificates", () => {
  test("created with enhanced-certificates-beta: the URL uses localhost and verify-full, and verifies", async () => {
    const { addon, vars } = await provisioned(base, "acme-reports", {
      plan: "heroku-postgresql:private-0",
      config: { "enhanced-certificates-beta": true },
    });
    const url = vars.DATABASE_URL!;
    expect(url).toMatch(/@localhost:\d+\/d[a-z0-9]{13}\?sslmode=verify-full&sslrootcert=/);
    expect(url).toContain(s.emulator.publicRootPath);
    expect((await whoAmI(url)).ssl).toBe(true);
    // Plain node-postgres (no libpq compat) verifies it as well.
    const client = new Client({ connectionString: url });
    await client.connect();
    await client.end();
    const status = await api(base, "GET", `/client/v11/enhanced_certificates/${addon.name}/status`);
    expect(status.json).toEqual({ status: "Enabled" });
  });

  test("enable and disable move through Provisioning/Deprovisioning and switch the URL", async () => {
    await control(base, "PUT", "/speed", { "enhanced-certificates": { polls: 2 } });
    const { addon, vars } = await provisioned(base, "acme-eu", { plan: "heroku-postgresql:private-0" });
    expect(vars.DATABASE_URL).toContain("@127.0.0.1:");
    const status = async (): Promise<string> =>
      (await api<{ status: string }>(base, "GET", `/client/v11/enhanced_certificates/${addon.id}/status`)).json.status;
    const enable = await api(base, "PUT", `/client/v11/enhanced_certificates/${addon.name}/enable`, { auth: "basic" });
    expect([enable.status, enable.text]).toEqual([200, ""]);
    expect(await status()).toBe("Provisioning");
    expect(await status()).toBe("Enabled");
    const info = (await api<InfoJson>(base, "GET", `/client/v11/databases/${addon.id}`)).json;
    expect(row(info, "Enhanced Certificates")).toEqual(["Enabled"]);
    const enhanced = (await api<Record<string, string>>(base, "GET", "/apps/acme-eu/config-vars")).json.DATABASE_URL!;
    expect(enhanced).toContain("sslmode=verify-full");
    // Same front door port: PostgreSQL's own TLS passes through it, so verify-full against localhost still works.
    expect(new URL(enhanced).port).toBe(new URL(vars.DATABASE_URL!).port);
    expect((await whoAmI(enhanced)).ssl).toBe(true);

    await api(base, "PUT", `/client/v11/enhanced_certificates/${addon.name}/disable`);
    expect(await status()).toBe("Deprovisioning");
    await pollUntil(status, (st) => st === "Disabled");
    expect((await api<Record<string, string>>(base, "GET", "/apps/acme-eu/config-vars")).json.DATABASE_URL).toContain(
      "sslmode=require",
    );
  });

  test("not on Essential plans, and unknown add-ons are an HTML 404", async () => {
    const { addon } = await provisioned(base, "acme-hobby", { plan: "heroku-postgresql:essential-0" });
    const r = await api<{ id: string }>(base, "PUT", `/client/v11/enhanced_certificates/${addon.name}/enable`);
    expect([r.status, r.json.id]).toEqual([422, "unprocessable_entity"]);
    const missing = await api(base, "GET", "/client/v11/enhanced_certificates/postgresql-none-11111/status");
    expect([missing.status, missing.text]).toEqual([404, "<h1>Not Found</h1>"]);
  });
});

describe("Data API info", () => {
  test("info rows describe the database", async () => {
    const { addon } = await provisioned(base, "acme-vault", { plan: "heroku-postgresql:shield-0" });
    const r = await api<InfoJson & Record<string, unknown>>(base, "GET", `/client/v11/databases/${addon.name}`);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      addon_id: addon.id,
      name: addon.name,
      plan: { name: "shield-0" },
      postgres_version: "15",
    });
    expect(row(r.json, "Status")).toEqual(["Available"]);
    expect(row(r.json, "Plan")).toEqual(["Shield 0"]);
    expect(row(r.json, "Region")).toEqual(["us-west-2"]);
    expect(row(r.json, "Data Encryption")).toEqual(["In Use"]);
    expect(row(r.json, "Enhanced Certificates")).toEqual(["Disabled"]);
    expect(row(r.json, "Customer Encryption Key")).toBeUndefined();
    expect(row(r.json, "PG Version")?.[0]).toMatch(/^15\.\d+$/);
  });
});
