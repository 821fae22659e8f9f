// Credentials on the emulator's wire (heroku-api.md 2; seed 002): real roles, states, refusals, rotation with and
// without force while a connection is open, credential attachments and their config vars, restart.
import { Client } from "pg";
import { startEmulator, type RunningEmulator } from "../../emulator/index";
import { api, control, libpq, pollUntil, provisioned, whoAmI } from "./helpers";
import { startServices, type Services } from "../support/services";

jest.setTimeout(180_000);
let s: Services;
let base: string;
let db: string;

interface CredJson {
  uuid: string;
  name: string;
  state: string;
  database: string;
  host: string;
  port: number;
  credentials: { user: string; password: string; state: string; connections: number | null }[];
}

const creds = (path = ""): string => `/postgres/v0/databases/${db}/credentials${path}`;
const urlOf = (c: CredJson, i = 0): string =>
  `postgres://${c.credentials[i]!.user}:${c.credentials[i]!.password}@${c.host}:${c.port}/${c.database}?sslmode=require`;

async function open(url: string): Promise<Client> {
  const client = new Client({ connectionString: libpq(url), connectionTimeoutMillis: 5000 });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

async function refused(url: string): Promise<boolean> {
  try {
    (await open(url)).end().catch(() => undefined);
    return false;
  } catch {
    return true;
  }
}

beforeAll(async () => {
  s = await startServices();
  base = s.emulator.url;
  await control(base, "PUT", "/speed", {
    "addon-provision": "immediate",
    credential: { polls: 2 },
    rotation: "immediate",
  });
  db = (await provisioned(base, "acme-api", { plan: "heroku-postgresql:private-0" })).addon.name;
});
let restarted: RunningEmulator | undefined;
afterAll(async () => {
  await restarted?.stop();
  await s?.stop();
});

test("list has the default credential; create provisions a real role with a 65-char password and CONNECT only", async () => {
  const list = await api<CredJson[]>(base, "GET", creds());
  expect(list.status).toBe(200);
  expect(list.json.map((c) => [c.name, c.state])).toEqual([["default", "active"]]);

  const created = await api<CredJson>(base, "POST", creds(), { body: { name: "analyst" } });
  expect(created.status).toBe(201);
  expect(created.json).toMatchObject({ name: "analyst", state: "provisioning", port: expect.any(Number) });
  expect(created.json.credentials[0]).toMatchObject({ user: "analyst", state: "enabling" });
  expect(created.json.credentials[0]!.password).toMatch(/^[A-Za-z0-9]{65}$/);
  // {polls: 2}: the second read shows it active.
  expect((await api<CredJson>(base, "GET", creds("/analyst"))).json.state).toBe("provisioning");
  const active = (await api<CredJson>(base, "GET", creds("/analyst"))).json;
  expect(active.state).toBe("active");
  expect(active.credentials).toEqual([expect.objectContaining({ user: "analyst", state: "active", connections: 0 })]);
  expect((await whoAmI(urlOf(active))).user).toBe("analyst");

  const owner = (await api<CredJson>(base, "GET", creds("/default"))).json;
  const admin = await open(urlOf(owner));
  await admin.query("create table t (id serial primary key)");
  await admin.end();
  const c = await open(urlOf(active));
  await expect(c.query("select * from t")).rejects.toThrow(/permission denied/);
  await expect(c.query("create table mine (x int)")).rejects.toThrow(/permission denied/);
  await c.end();
});

test("refusals: duplicate, bad name, default, unknown, attached, limit, non-production, follower", async () => {
  const dup = await api<{ id: string; message: string }>(base, "POST", creds(), { body: { name: "analyst" } });
  expect(dup.status).toBe(422);
  expect(dup.json).toMatchObject({ id: "unprocessable_entity" });
  expect(dup.json.message).toMatch(
    /^analyst on .* already exists\.\nCredential names must be unique within the database/,
  );
  expect((await api(base, "POST", creds(), { body: { name: "bad name!" } })).status).toBe(422);
  expect((await api(base, "POST", creds(), { body: { name: "x".repeat(51) } })).status).toBe(422);
  const def = await api<{ message: string }>(base, "DELETE", creds("/default"));
  expect(def.status).toBe(422);
  expect(def.json.message).toBe("Default credential cannot be destroyed.");
  const missing = await api<{ id: string; message: string }>(base, "GET", creds("/nobody"));
  expect(missing.status).toBe(404);
  expect(missing.json).toEqual({ id: "not_found", message: "Credential not found." });
  expect((await api(base, "GET", "/postgres/v0/databases/postgresql-nope-00000/credentials")).text).toBe(
    "<h1>Not Found</h1>",
  );

  const att = await api<{ id: string; name: string }>(base, "POST", "/addon-attachments", {
    body: { addon: { name: db }, app: { name: "acme-reports" }, namespace: "credential:analyst" },
  });
  expect(att.status).toBe(201);
  const attached = await api<{ message: string }>(base, "DELETE", creds("/analyst"));
  expect(attached.status).toBe(422);
  expect(attached.json.message).toBe(
    "Credential analyst must be detached from the app(s) acme-reports before destroying.",
  );
  await api(base, "DELETE", `/addon-attachments/${att.json.id}`);

  const unknownNs = await api(base, "POST", "/addon-attachments", {
    body: { addon: db, app: "acme-reports", namespace: "credential:ghost" },
  });
  expect(unknownNs.status).toBe(422);

  // 60 with the default: analyst + 58 more fit, the 60th named one does not.
  for (let i = 0; i < 58; i++) {
    expect((await api(base, "POST", creds(), { body: { name: `bulk${i}` } })).status).toBe(201);
  }
  const over = await api<{ message: string }>(base, "POST", creds(), { body: { name: "one-too-many" } });
  expect(over.status).toBe(422);
  expect(over.json.message).toMatch(/60/);
  for (let i = 0; i < 58; i++) expect((await api(base, "DELETE", creds(`/bulk${i}`))).status).toBe(200);

  const essential = (await provisioned(base, "acme-hobby", { plan: "heroku-postgresql:essential-0" })).addon.name;
  const e = await api<{ message: string }>(base, "POST", `/postgres/v0/databases/${essential}/credentials`, {
    body: { name: "analyst2" },
  });
  expect(e.status).toBe(422);
  expect(e.json.message).toBe("You can't create a custom credential on Essential-tier databases.");

  const follower = (
    await provisioned(base, "acme-api", { plan: "heroku-postgresql:private-0", config: { follow: db } })
  ).addon.name;
  for (const [method, path, body] of [
    ["POST", "/credentials", { name: "x1" }],
    ["DELETE", "/credentials/analyst", undefined],
    ["POST", "/credentials/default/credentials_rotation", {}],
  ] as const) {
    const r = await api<{ message: string }>(base, method, `/postgres/v0/databases/${follower}${path}`, { body });
    expect(r.status).toBe(422);
    expect(r.json.message).toBe("This operation is not supported for follower databases.");
  }
});

test("attachment gives the app a config var for the credential; rotation without force keeps an open connection", async () => {
  await control(base, "PUT", "/credentials", { rotationGraceSeconds: 3600 });
  const att = await api<{ id: string; name: string; namespace: string }>(base, "POST", "/addon-attachments", {
    body: { addon: { name: db }, app: { name: "acme-reports" }, name: "ANALYST_DB", namespace: "credential:analyst" },
  });
  expect(att.json).toMatchObject({ name: "ANALYST_DB", namespace: "credential:analyst" });
  const varsOf = async (): Promise<Record<string, string>> =>
    (await api<Record<string, string>>(base, "GET", "/apps/acme-reports/config-vars")).json;
  const before = (await varsOf()).ANALYST_DB_URL!;
  expect((await whoAmI(before)).user).toBe("analyst");
  const cfg = await api<{ name: string; value: string }[]>(base, "GET", `/addons/${db}/config/credential:analyst`);
  expect(cfg.json).toEqual([{ name: "URL", value: before }]);
  expect((await api(base, "GET", `/addons/${db}/config/credential:ghost`)).json).toEqual([]);

  const old = await open(before);
  const rot = await api<{ message: string }>(base, "POST", creds("/analyst/credentials_rotation"), { body: {} });
  expect(rot.json).toEqual({ message: `Rotating credentials on ${db}` });
  const rotating = (await api<CredJson>(base, "GET", creds("/analyst"))).json;
  expect(rotating.state).toBe("rotating");
  expect(rotating.credentials).toEqual([
    expect.objectContaining({ user: "analyst-rotating", state: "active" }),
    expect.objectContaining({ user: "analyst", state: "revoking", connections: 1 }),
  ]);
  const during = (await varsOf()).ANALYST_DB_URL!;
  expect(during).not.toBe(before);
  expect((await whoAmI(during)).user).toBe("analyst-rotating");
  // The old session still works while it drains, and so does the old password during the grace.
  expect((await old.query("select 1 as one")).rows[0]).toEqual({ one: 1 });
  expect((await whoAmI(before)).user).toBe("analyst");
  // Closing the old connection ends the rotation at the next check.
  await old.end();
  const done = await pollUntil(
    async () => (await api<CredJson>(base, "GET", creds("/analyst"))).json,
    (c) => c.state === "active",
  );
  expect(done.credentials.map((u) => u.user)).toEqual(["analyst"]);
  const after = (await varsOf()).ANALYST_DB_URL!;
  expect((await whoAmI(after)).user).toBe("analyst");
  expect(await refused(before)).toBe(true);
  await api(base, "DELETE", `/addon-attachments/${att.json.id}`);
});

test("rotation: the grace period ends old connections; forced kills them at once", async () => {
  const c0 = (await api<CredJson>(base, "GET", creds("/analyst"))).json;
  let old = await open(urlOf(c0));
  await api(base, "POST", creds("/analyst/credentials_rotation"), { body: {} });
  expect((await api<CredJson>(base, "GET", creds("/analyst"))).json.state).toBe("rotating");
  await control(base, "PUT", "/credentials", { rotationGraceSeconds: 0 });
  await pollUntil(
    async () => (await api<CredJson>(base, "GET", creds("/analyst"))).json.state,
    (st) => st === "active",
  );
  await expect(old.query("select 1")).rejects.toThrow();
  expect(await refused(urlOf(c0))).toBe(true);

  await control(base, "PUT", "/credentials", { rotationGraceSeconds: 3600 });
  const c1 = (await api<CredJson>(base, "GET", creds("/analyst"))).json;
  old = await open(urlOf(c1));
  await api(base, "POST", creds("/analyst/credentials_rotation"), { body: { forced: true } });
  const c2 = (await api<CredJson>(base, "GET", creds("/analyst"))).json;
  expect(c2.state).toBe("active");
  expect(c2.credentials[0]!.password).not.toBe(c1.credentials[0]!.password);
  await expect(old.query("select 1")).rejects.toThrow();
  expect(await refused(urlOf(c1))).toBe(true);
  expect((await whoAmI(urlOf(c2))).user).toBe("analyst");
});

test("destroy reassigns owned objects to the default credential, drops the role, then answers 404", async () => {
  const owner = (await api<CredJson>(base, "GET", creds("/default"))).json;
  const admin = await open(urlOf(owner));
  await admin.query("grant create on schema public to analyst");
  const c = (await api<CredJson>(base, "GET", creds("/analyst"))).json;
  const mine = await open(urlOf(c));
  await mine.query("create table owned_by_analyst (x int)");
  await mine.end();
  const del = await api<{ message: string }>(base, "DELETE", creds("/analyst"));
  expect(del.status).toBe(200);
  expect(del.json.message).toMatch(/has been destroyed within .* and detached from all apps/);
  const r = await admin.query<{ owner: string }>(
    "select tableowner as owner from pg_tables where tablename = 'owned_by_analyst'",
  );
  expect(r.rows[0]?.owner).toBe(owner.credentials[0]!.user);
  expect((await admin.query("select 1 from pg_roles where rolname = 'analyst'")).rowCount).toBe(0);
  await admin.end();
  await pollUntil(
    async () => (await api(base, "GET", creds("/analyst"))).status,
    (st) => st === 404,
  );
});

test("credentials and an unfinished rotation survive a restart", async () => {
  await api(base, "POST", creds(), { body: { name: "survivor" } });
  await pollUntil(
    async () => (await api<CredJson>(base, "GET", creds("/survivor"))).json.state,
    (st) => st === "active",
  );
  await api(base, "POST", creds("/survivor/credentials_rotation"), { body: {} });
  await s.emulator.stop();
  restarted = await startEmulator({ stateDir: s.stateDir, kmsEndpoint: s.moto.endpoint });
  base = restarted.url;
  const after = await pollUntil(
    async () => (await api<CredJson>(base, "GET", creds("/survivor"))).json,
    (c) => c.state === "active",
  );
  expect((await whoAmI(urlOf(after))).user).toBe("survivor");
});
