// Credential names belong to their database (seed 002; on Heroku every database has its own roles): two databases
// in one emulator each have `analyst` and `reporting`, a replacement takes the same names while the old database
// still exists, and a role of one database cannot log in to another. Everything through the `psql` binary, over
// TLS, with client certificates where mTLS is on, and for `-rotating` users during a rotation.
import { psql, type ClientFiles } from "../support/mtls-connect";
import { startServices, type Services } from "../support/services";
import { api, control, pollUntil, provisioned } from "./helpers";

jest.setTimeout(180_000);
let s: Services;
let base: string;

interface CredJson {
  name: string;
  state: string;
  database: string;
  host: string;
  port: number;
  credentials: { user: string; password: string; state: string }[];
}

const NAMES = ["analyst", "reporting"];
const credsPath = (db: string, rest = ""): string => `/postgres/v0/databases/${db}/credentials${rest}`;
const urlOf = (c: CredJson, user: { user: string; password: string }): string =>
  `postgres://${user.user}:${user.password}@${c.host}:${c.port}/${c.database}?sslmode=require`;
const TABLES = "select string_agg(tablename, ',' order by tablename) from pg_tables where schemaname = 'public'";

beforeAll(async () => {
  s = await startServices();
  base = s.emulator.url;
  await control(base, "PUT", "/speed", {
    "addon-provision": "immediate",
    "addon-deprovision": "immediate",
    credential: "immediate",
    // A rotation without force stays under way until the test forces it to end.
    rotation: { ms: 3_600_000 },
    mtls: "immediate",
    certificate: "immediate",
    "ip-rule": "immediate",
  });
});
afterAll(async () => s?.stop());

async function credential(db: string, name: string): Promise<CredJson> {
  return (await api<CredJson>(base, "GET", credsPath(db, `/${name}`))).json;
}

/** A provisioned private database with its own table, and `analyst` and `reporting` able to read it. */
async function databaseWithCredentials(app: string, table: string): Promise<{ name: string; ownerUrl: string }> {
  const { addon } = await provisioned(base, app, { plan: "heroku-postgresql:private-0" });
  for (const name of NAMES) {
    const created = await api<CredJson>(base, "POST", credsPath(addon.name), { body: { name } });
    expect([created.status, created.text]).toEqual([201, expect.any(String)]);
  }
  const owner = await credential(addon.name, "default");
  const ownerUrl = urlOf(owner, owner.credentials[0]!);
  await psql(ownerUrl, `create table ${table} (id int); insert into ${table} values (1)`);
  await psql(ownerUrl, `grant select on ${table} to ${NAMES.join(", ")}`);
  return { name: addon.name, ownerUrl };
}

/** Who psql is connected as, in which database, and which tables it sees. */
async function view(url: string, files?: ClientFiles): Promise<string> {
  return psql(url, `select current_user || ' ' || current_database() || ' ' || (${TABLES})`, files);
}

test("two databases each have analyst and reporting; each connects with its own password and sees its own tables", async () => {
  const dev = await databaseWithCredentials("acme-api", "dev_orders");
  const prod = await databaseWithCredentials("acme-reports", "prod_orders");
  const passwords = new Set<string>();
  for (const [db, table, other] of [
    [dev.name, "dev_orders", "prod_orders"],
    [prod.name, "prod_orders", "dev_orders"],
  ] as const) {
    const list = (await api<CredJson[]>(base, "GET", credsPath(db))).json;
    expect(list.map((c) => [c.name, c.state, c.credentials.map((u) => u.user)])).toEqual([
      ["default", "active", [expect.stringMatching(/^u[a-z0-9]{13}$/)]],
      ["analyst", "active", ["analyst"]],
      ["reporting", "active", ["reporting"]],
    ]);
    for (const name of NAMES) {
      const c = list.find((x) => x.name === name)!;
      const url = urlOf(c, c.credentials[0]!);
      passwords.add(c.credentials[0]!.password);
      expect(await view(url)).toBe(`${name} ${c.database} ${table}`);
      expect(await psql(url, `select count(*) from ${table}`)).toBe("1");
      await expect(psql(url, `select count(*) from ${other}`)).rejects.toThrow(/relation "\w+" does not exist/);
    }
  }
  expect(passwords.size).toBe(4);

  // A role of one database cannot log in to another: not with its own password at the other's front door (the
  // other database's analyst has another password), and not to the other database's name through its own door.
  const devAnalyst = await credential(dev.name, "analyst");
  const prodAnalyst = await credential(prod.name, "analyst");
  const atProd = { ...devAnalyst, port: prodAnalyst.port, database: prodAnalyst.database };
  await expect(view(urlOf(atProd, devAnalyst.credentials[0]!))).rejects.toThrow(
    /password authentication failed for user "analyst"/,
  );
  const otherName = { ...devAnalyst, database: prodAnalyst.database };
  await expect(view(urlOf(otherName, devAnalyst.credentials[0]!))).rejects.toThrow(/database "d\w+" does not exist/);
  // Nor can the default credential of one database reach the other.
  const devOwner = await credential(dev.name, "default");
  await expect(view(urlOf({ ...devOwner, port: prodAnalyst.port }, devOwner.credentials[0]!))).rejects.toThrow(
    /password authentication failed/,
  );

  // A replacement is made before the old database is deleted (Pulumi's default): the same names, at once.
  const next = await databaseWithCredentials("acme-api", "next_orders");
  for (const name of NAMES) {
    const c = await credential(next.name, name);
    expect(await view(urlOf(c, c.credentials[0]!))).toBe(`${name} ${c.database} next_orders`);
  }
  expect((await api(base, "DELETE", `/addons/${dev.name}`)).status).toBe(200);
  await pollUntil(
    async () => (await api(base, "GET", `/addons/${dev.name}`)).status,
    (st) => st === 404,
  );
  for (const [db, table] of [
    [next.name, "next_orders"],
    [prod.name, "prod_orders"],
  ] as const) {
    const c = await credential(db, "analyst");
    expect(await view(urlOf(c, c.credentials[0]!))).toBe(`analyst ${c.database} ${table}`);
  }
  // The deleted database's analyst is gone with its cluster; the others keep theirs.
  await expect(view(urlOf(devAnalyst, devAnalyst.credentials[0]!))).rejects.toThrow();
});

test("rotations of the same name in two databases at once, one of them behind mTLS with client certificates", async () => {
  const plain = await databaseWithCredentials("acme-api", "plain_orders");
  const guarded = await databaseWithCredentials("acme-reports", "guarded_orders");
  expect((await api(base, "POST", `/postgres/v0/databases/${guarded.name}/tls-endpoint`)).status).toBe(201);
  const tls = `/postgres/v0/databases/${guarded.name}/tls-endpoint`;
  const mtls = await pollUntil(
    async () => (await api<{ status: string; certificate_authority_chain: string }>(base, "GET", tls)).json,
    (m) => m.status === "Operational",
  );
  const rule = await api(base, "POST", `${tls}/ip-rules`, { body: { cidr: "127.0.0.1/32", description: "local" } });
  expect(rule.status).toBe(201);
  const [first] = (await api<{ id: string }[]>(base, "GET", `${tls}/certificates`)).json;
  const cert = await pollUntil(
    async () =>
      (
        await api<{ status: string; certificate_with_chain: string; private_key: string }>(
          base,
          "GET",
          `${tls}/certificates/${first!.id}`,
        )
      ).json,
    (c) => c.status === "ready",
  );
  const files: ClientFiles = {
    certificateWithChain: cert.certificate_with_chain,
    privateKey: cert.private_key,
    rootChain: mtls.certificate_authority_chain,
  };
  await pollUntil(
    async () => (await api<{ status: string }[]>(base, "GET", `${tls}/ip-rules`)).json,
    (rules) => rules.every((r) => r.status === "Authorized"),
  );
  for (const name of NAMES) {
    const c = await credential(guarded.name, name);
    expect(await view(urlOf(c, c.credentials[0]!), files)).toBe(`${name} ${c.database} guarded_orders`);
    // Without the certificate the same password is refused at the front door.
    await expect(view(urlOf(c, c.credentials[0]!), { rootChain: files.rootChain })).rejects.toThrow(
      /need a client certificate/,
    );
  }

  for (const db of [plain.name, guarded.name]) {
    const rotated = await api(base, "POST", credsPath(db, "/analyst/credentials_rotation"), { body: {} });
    expect(rotated.status).toBe(200);
  }
  for (const [db, table, tlsFiles] of [
    [plain.name, "plain_orders", undefined],
    [guarded.name, "guarded_orders", files],
  ] as const) {
    const c = await credential(db, "analyst");
    expect(c.state).toBe("rotating");
    const [fresh, old] = c.credentials;
    expect([fresh!.user, fresh!.state, old!.user, old!.state]).toEqual([
      "analyst-rotating",
      "active",
      "analyst",
      "revoking",
    ]);
    // The new password logs in as the -rotating user, which holds the grants; the old one still works meanwhile.
    expect(await view(urlOf(c, fresh!), tlsFiles)).toBe(`analyst-rotating ${c.database} ${table}`);
    expect(await psql(urlOf(c, fresh!), `select count(*) from ${table}`, tlsFiles)).toBe("1");
    expect(await view(urlOf(c, old!), tlsFiles)).toBe(`analyst ${c.database} ${table}`);
  }

  for (const db of [plain.name, guarded.name]) {
    const forced = await api(base, "POST", credsPath(db, "/analyst/credentials_rotation"), { body: { forced: true } });
    expect(forced.status).toBe(200);
  }
  const plainAnalyst = await credential(plain.name, "analyst");
  const guardedAnalyst = await credential(guarded.name, "analyst");
  expect(await view(urlOf(plainAnalyst, plainAnalyst.credentials[0]!))).toBe(
    `analyst ${plainAnalyst.database} plain_orders`,
  );
  expect(await view(urlOf(guardedAnalyst, guardedAnalyst.credentials[0]!), files)).toBe(
    `analyst ${guardedAnalyst.database} guarded_orders`,
  );
  // reporting never rotated: its first password still works in both.
  for (const [db, tlsFiles] of [
    [plain.name, undefined],
    [guarded.name, files],
  ] as const) {
    const c = await credential(db, "reporting");
    expect((await view(urlOf(c, c.credentials[0]!), tlsFiles)).split(" ")[0]).toBe("reporting");
  }
});
