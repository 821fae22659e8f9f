// Credential hooks against the emulator and its real PostgreSQL: create with a level and an attachment, the
// levels' real effect, drift on read, in-place updates, rotation with and without force while a connection is
// open, adoption, refusals (follower, Essential, duplicate, check), read-back after an ambiguous create, delete.
import { Client } from "pg";
import * as hooks from "../../provider/credential/hooks";
import { claimedBy, clearClaims, identityOf } from "../../provider/shared/claims";
import type { CredentialInputs } from "../../provider/credential/types";
import { api, control, libpq, pollUntil, provisioned, whoAmI } from "../emulator/helpers";
import { startServices, type Services } from "../support/services";

jest.setTimeout(180_000);
let s: Services;
let base: string;
let db: string;
let ownerUrl: string;

async function open(url: string): Promise<Client> {
  const client = new Client({ connectionString: libpq(url), connectionTimeoutMillis: 5000 });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

async function sql(url: string, text: string): Promise<unknown[]> {
  const c = await open(url);
  try {
    return (await c.query(text)).rows;
  } finally {
    await c.end();
  }
}

async function checked(raw: Record<string, unknown>): Promise<CredentialInputs> {
  const { inputs, failures } = await hooks.check({}, raw);
  expect(failures).toEqual([]);
  return inputs;
}

const vars = async (app: string): Promise<Record<string, string>> =>
  (await api<Record<string, string>>(base, "GET", `/apps/${app}/config-vars`)).json;

beforeAll(async () => {
  s = await startServices();
  base = s.emulator.url;
  Object.assign(process.env, s.env);
  await control(base, "PUT", "/speed", {
    "addon-provision": "immediate",
    credential: { polls: 2 },
    rotation: "immediate",
  });
  const made = await provisioned(base, "acme-api", { plan: "heroku-postgresql:private-0" });
  db = made.addon.name;
  ownerUrl = made.vars.DATABASE_URL!;
  await sql(ownerUrl, "create table existing (id serial primary key, v text); insert into existing (v) values ('a')");
});
afterAll(async () => s?.stop());

test("create: read-only level really applies (existing and future tables), attachment config var, outputs", async () => {
  const inputs = await checked({
    database: db,
    name: "analyst",
    permissions: "read-only",
    attachments: [{ app: "acme-reports", name: "ANALYST_DB" }],
  });
  const { id, outs } = await hooks.create(inputs);
  expect(outs).toMatchObject({
    state: "active",
    username: "analyst",
    permissions: "read-only",
    schemas: ["public"],
    effectivePermissions: { public: "read-only" },
    attachments: [{ app: "acme-reports", name: "ANALYST_DB" }],
    attachmentConfigVars: [expect.objectContaining({ app: "acme-reports", configVar: "ANALYST_DB_URL" })],
  });
  expect(outs.password).toMatch(/^[A-Za-z0-9]{65}$/);
  expect(outs.url).toContain("sslmode=require");
  await sql(ownerUrl, "create table later (x int); insert into later values (1)");
  expect(await sql(outs.url, "select count(*)::int as n from existing")).toEqual([{ n: 1 }]);
  expect(await sql(outs.url, "select x from later")).toEqual([{ x: 1 }]);
  await expect(sql(outs.url, "insert into existing (v) values ('b')")).rejects.toThrow(/permission denied/);
  await expect(sql(outs.url, "create table nope (x int)")).rejects.toThrow(/permission denied/);
  const appUrl = (await vars("acme-reports")).ANALYST_DB_URL!;
  expect((await whoAmI(appUrl)).user).toBe("analyst");

  // No drift right after create; an out-of-band GRANT shows as custom.
  expect((await hooks.read(id, outs)).props).toEqual(outs);
  await sql(ownerUrl, "grant insert on existing to analyst");
  const drifted = (await hooks.read(id, outs)).props!;
  expect(drifted.permissions).toBe("custom");
  expect(drifted.effectivePermissions).toEqual({ public: "custom" });
  expect((await hooks.diff(id, drifted, inputs)).updates).toEqual(["permissions"]);
  const fixed = await hooks.update(id, drifted, inputs);
  expect(fixed.outs.permissions).toBe("read-only");

  // read-write in place: INSERT, DELETE and nextval; then none: no SELECT.
  const rw = await checked({ ...inputs, permissions: "read-write" });
  expect(await hooks.diff(id, fixed.outs, rw)).toMatchObject({ replaces: [], updates: ["permissions"] });
  const rwOuts = (await hooks.update(id, fixed.outs, rw)).outs;
  expect(rwOuts.effectivePermissions).toEqual({ public: "read-write" });
  await sql(rwOuts.url, "insert into existing (v) values ('c'); delete from existing where v = 'c'");
  expect(await sql(rwOuts.url, "select nextval('existing_id_seq') > 0 as ok")).toEqual([{ ok: true }]);
  const none = (await hooks.update(id, rwOuts, await checked({ ...inputs, permissions: "none" }))).outs;
  expect(none.permissions).toBe("none");
  await expect(sql(none.url, "select 1 from existing")).rejects.toThrow(/permission denied/);

  // Attachments in place: detach the named one, attach unnamed to another app.
  const moved = await checked({ ...inputs, permissions: "none", attachments: [{ app: "acme-api" }] });
  const movedOuts = (await hooks.update(id, none, moved)).outs;
  expect(movedOuts.attachments).toEqual([{ app: "acme-api" }]);
  expect(movedOuts.attachmentConfigVars[0]!.configVar).toMatch(/^HEROKU_POSTGRESQL_[A-Z]+_URL$/);
  expect((await vars("acme-reports")).ANALYST_DB_URL).toBeUndefined();
  expect((await hooks.read(id, movedOuts)).props).toEqual(movedOuts);

  // Delete detaches first, then the role and the credential are gone.
  await hooks.delete(id, movedOuts);
  expect(await hooks.read(id, movedOuts)).toEqual({});
  expect(await sql(ownerUrl, "select 1 from pg_roles where rolname = 'analyst'")).toEqual([]);
  expect(Object.keys(await vars("acme-api"))).toEqual(["DATABASE_URL"]);
  await hooks.delete(id, movedOuts);
});

test("rotation: without force the open connection survives until it closes; with force it is killed", async () => {
  await control(base, "PUT", "/credentials", { rotationGraceSeconds: 3600 });
  const inputs = await checked({
    database: db,
    name: "reporter",
    permissions: "read-write",
    attachments: [{ app: "acme-reports", name: "REPORTER_DB" }],
    rotationTrigger: "q1",
  });
  const { id, outs } = await hooks.create(inputs);
  const old = await open(outs.url);
  const q2 = await checked({ ...inputs, rotationTrigger: "q2" });
  expect(await hooks.diff(id, outs, q2)).toMatchObject({ replaces: [], updates: ["rotationTrigger"] });
  // update waits for the rotation; close the old connection a little later so it can finish.
  const updating = hooks.update(id, outs, q2);
  await pollUntil(
    async () =>
      (await api<{ state: string }>(base, "GET", `/postgres/v0/databases/${db}/credentials/reporter`)).json.state,
    (st) => st === "rotating",
  );
  expect((await old.query("select count(*)::int as n from existing")).rows).toEqual([{ n: 1 }]);
  await old.end();
  const rotated = (await updating).outs;
  expect(rotated).toMatchObject({
    state: "active",
    username: "reporter",
    effectivePermissions: { public: "read-write" },
  });
  expect(rotated.password).not.toBe(outs.password);
  await expect(open(outs.url)).rejects.toThrow(/password authentication failed/);
  expect((await whoAmI((await vars("acme-reports")).REPORTER_DB_URL!)).user).toBe("reporter");

  const alive = await open(rotated.url);
  const forced = await checked({ ...inputs, rotationTrigger: "q3", forceRotation: true });
  const forcedOuts = (await hooks.update(id, rotated, forced)).outs;
  await expect(alive.query("select 1")).rejects.toThrow();
  await expect(open(rotated.url)).rejects.toThrow(/password authentication failed/);
  expect(await sql(forcedOuts.url, "select count(*)::int as n from existing")).toEqual([{ n: 1 }]);
  await hooks.delete(id, forcedOuts);
});

test("adoption, resuming, duplicate, and read-back after an ambiguous create", async () => {
  // One someone attached to an app the resource does not declare is in use: refused, adoptable on request.
  await api(base, "POST", `/postgres/v0/databases/${db}/credentials`, { body: { name: "handmade" } });
  await pollUntil(
    () => api<{ state: string }>(base, "GET", `/postgres/v0/databases/${db}/credentials/handmade`),
    (r) => r.json.state === "active",
  );
  await api(base, "POST", "/addon-attachments", {
    body: { addon: { name: db }, app: { name: "acme-api" }, namespace: "credential:handmade", name: "HANDMADE_DB" },
  });
  await expect(hooks.create(await checked({ database: db, name: "handmade" }))).rejects.toThrow(
    /already has a credential handmade \(attached as HANDMADE_DB on acme-api, which this resource does not declare or did not make just now\), which this resource cannot prove it made\. If it is the credential of a resource you renamed, add aliases.*set adoptExisting: true/,
  );
  const adopted = await hooks.create(await checked({ database: db, name: "handmade", adoptExisting: true }));
  expect(adopted.outs).toMatchObject({ username: "handmade", permissions: "none" });
  await expect(hooks.create(await checked({ database: db, name: "ghost", adoptExisting: true }))).rejects.toThrow(
    /has no credential ghost/,
  );
  clearClaims(); // a later run: in the run that adopted it, only an old resource's delete could come next
  await hooks.delete(adopted.id, adopted.outs);

  // Privileges in a schema the resource does not declare, or an open connection, are signs of use too.
  await api(base, "POST", `/postgres/v0/databases/${db}/credentials`, { body: { name: "reporter" } });
  await pollUntil(
    () => api<{ state: string }>(base, "GET", `/postgres/v0/databases/${db}/credentials/reporter`),
    (r) => r.json.state === "active",
  );
  await sql(
    ownerUrl,
    'CREATE SCHEMA IF NOT EXISTS reports; CREATE TABLE IF NOT EXISTS reports.totals (n int); GRANT USAGE ON SCHEMA reports TO "reporter"; GRANT SELECT ON reports.totals TO "reporter"',
  );
  await expect(hooks.create(await checked({ database: db, name: "reporter" }))).rejects.toThrow(
    /already has a credential reporter \(privileges on schema reports \(custom\)\)/,
  );
  expect(claimedBy(identityOf("credential", db, "reporter"))).toBeUndefined();

  // One with no attachment and no privileges, as an interrupted create leaves it, is resumed.
  await api(base, "POST", `/postgres/v0/databases/${db}/credentials`, { body: { name: "leftover" } });
  await control(base, "DELETE", "/requests");
  const resumed = await hooks.create(
    await checked({ database: db, name: "leftover", permissions: "read-only", attachments: [{ app: "acme-reports" }] }),
  );
  expect(resumed.outs).toMatchObject({ username: "leftover", permissions: "read-only", state: "active" });
  // Heroku refused the one POST (the name is taken), and the provider took the credential over: none was made.
  const log = (await control(base, "GET", "/requests")) as { method: string; path: string; status: number }[];
  expect(log.filter((r) => r.method === "POST" && r.path.endsWith("/credentials")).map((r) => r.status)).toEqual([422]);
  // Taken over in this run: an old resource's delete in the same run leaves it to the one that holds it now.
  expect(claimedBy(identityOf("credential", db, "leftover"))).toMatch(/Credential leftover/);
  await hooks.delete("an-older-resource", { ...resumed.outs });
  expect((await api(base, "GET", `/postgres/v0/databases/${db}/credentials/leftover`)).status).toBe(200);
  clearClaims();
  await hooks.delete(resumed.id, resumed.outs);

  await control(base, "DELETE", "/requests");
  await control(base, "POST", "/faults", { method: "POST", path: "/credentials$", status: 500, times: 1 });
  // The 500 answers before the emulator creates anything: reading back finds nothing, so the POST is repeated once.
  const retried = await hooks.create(await checked({ database: db, name: "flaky" }));
  expect(retried.outs.state).toBe("active");
  const posts = ((await control(base, "GET", "/requests")) as { method: string; path: string; status: number }[])
    .filter((r) => r.method === "POST" && r.path.endsWith("/credentials"))
    .map((r) => r.status);
  expect(posts).toHaveLength(2);
  expect(posts[0]).toBe(500);
  const names = (await api<{ name: string }[]>(base, "GET", `/postgres/v0/databases/${db}/credentials`)).json;
  expect(names.filter((c) => c.name === "flaky")).toHaveLength(1);
  await hooks.delete(retried.id, retried.outs);
});

test("refusals: check by property, Essential plan, follower", async () => {
  const bad = await hooks.check({}, { database: db, name: "default", permissions: "admin" });
  expect(bad.failures.map((f) => [f.property, f.reason.split(/[ :]/)[0]])).toEqual([
    ["", "name"],
    ["", "permissions"],
  ]);
  // Refused by check when the database exists (preview), and by create when it was unknown at preview.
  const essential = (await provisioned(base, "acme-hobby", { plan: "heroku-postgresql:essential-0" })).addon.name;
  const essentialCheck = await hooks.check({}, { database: essential, name: "x1" });
  expect(essentialCheck.failures).toEqual([
    { property: "", reason: expect.stringMatching(/credentials are only available on production plans/) },
  ]);
  await expect(hooks.create(essentialCheck.inputs)).rejects.toThrow(
    /credentials are only available on production plans/,
  );
  const follower = (
    await provisioned(base, "acme-api", { plan: "heroku-postgresql:private-0", config: { follow: db } })
  ).addon.name;
  const followerCheck = await hooks.check({}, { database: follower, name: "x2" });
  expect(followerCheck.failures).toEqual([
    { property: "", reason: expect.stringMatching(/This operation is not supported for follower databases/) },
  ]);
  await expect(hooks.create(followerCheck.inputs)).rejects.toThrow(
    /This operation is not supported for follower databases/,
  );
});

test("attachments: an unknown app is refused before the credential is made; a failed attach says the credential exists and the next up resumes it", async () => {
  const typo = { database: db, name: "att1", attachments: [{ app: "acme-reports" }, { app: "acme-repotrs" }] };
  const atPreview = await hooks.check({}, typo);
  expect(atPreview.failures).toEqual([
    {
      property: "",
      reason: 'attachments[1].app: app "acme-repotrs" does not exist at Heroku (it answered 404); check the spelling',
    },
  ]);
  await control(base, "DELETE", "/requests");
  await expect(hooks.create(atPreview.inputs)).rejects.toThrow(
    /attachments\[1\]\.app: app "acme-repotrs" does not exist/,
  );
  const posts = (await control<{ method: string }[]>(base, "GET", "/requests")).filter((r) => r.method !== "GET");
  expect(posts).toEqual([]); // nothing was made

  // The app exists, but Heroku refuses the attachment once (after the credential was made).
  const inputs = await checked({ database: db, name: "att2", attachments: [{ app: "acme-reports" }] });
  await control(base, "POST", "/faults", { method: "POST", path: "/addon-attachments$", status: 403, times: 1 });
  await expect(hooks.create(inputs)).rejects.toThrow(
    /^creating Credential att2 on database .*: attachments\[0\]\.app: attaching credential att2 to app acme-reports failed: .*403.*\. The credential att2 exists on database .*; fix the attachment and run pulumi up again, which resumes it$/,
  );
  const listed = await api<{ name: string }[]>(base, "GET", `/postgres/v0/databases/${db}/credentials`);
  expect(listed.json.map((c) => c.name)).toContain("att2");
  // The next up: the same create resumes the credential and makes the attachment.
  const resumed = await hooks.create(inputs);
  expect(resumed.outs.attachmentConfigVars.map((a) => a.app)).toEqual(["acme-reports"]);
  expect(Object.keys(await vars("acme-reports"))).toContain(resumed.outs.attachmentConfigVars[0]!.configVar);
  clearClaims(); // a later run's delete: in the run that resumed it, only an old resource's delete could come next
  await hooks.delete(resumed.id, resumed.outs);
});

test("mTLS database: permission levels are applied and read through the endpoint with a client certificate", async () => {
  await control(base, "PUT", "/speed", { mtls: "immediate", certificate: "immediate", "ip-rule": "immediate" });
  const made = await provisioned(base, "acme-reports", { plan: "heroku-postgresql:private-0" });
  const secured = made.addon.name;
  // A credential made before mTLS leaves the provider's shared default connection without a certificate; the next
  // create must notice the refused connection and read the connection again rather than fail.
  const early = await hooks.create(await checked({ database: secured, name: "early", permissions: "read-only" }));
  expect(early.outs.state).toBe("active");
  expect((await api(base, "POST", `/postgres/v0/databases/${secured}/tls-endpoint`)).status).toBe(201);
  await pollUntil(
    async () => (await api<{ status: string }>(base, "GET", `/postgres/v0/databases/${secured}/tls-endpoint`)).json,
    (m) => m.status === "Operational",
  );
  const rule = await api(base, "POST", `/postgres/v0/databases/${secured}/tls-endpoint/ip-rules`, {
    body: { cidr: "127.0.0.1/32", description: "this machine" },
  });
  expect(rule.status).toBe(201);

  const { outs } = await hooks.create(await checked({ database: secured, name: "bi", permissions: "read-only" }));
  expect(outs.effectivePermissions).toEqual({ public: "read-only" });
  const read = await hooks.read(outs.username, outs);
  expect(read.props).toMatchObject({ permissions: "read-only" });
  // Without an allowlisted address the provider cannot get in, and says why.
  const rules = (await api<{ id: string }[]>(base, "GET", `/postgres/v0/databases/${secured}/tls-endpoint/ip-rules`))
    .json;
  for (const r of rules) await api(base, "DELETE", `/postgres/v0/databases/${secured}/tls-endpoint/ip-rules/${r.id}`);
  await expect(hooks.read(outs.username, outs)).rejects.toThrow(
    /over mTLS \(is the address running pulumi allowlisted\?\)/,
  );
});

test("no needless chain: none on a new credential runs no SQL; a level waits inside create for the allowlist", async () => {
  await control(base, "PUT", "/speed", { mtls: "immediate", certificate: "immediate", "ip-rule": { ms: 4000 } });
  const made = await provisioned(base, "acme-reports", { plan: "heroku-postgresql:private-0" });
  const locked = made.addon.name;
  const endpoint = `/postgres/v0/databases/${locked}/tls-endpoint`;
  expect((await api(base, "POST", endpoint)).status).toBe(201);
  await pollUntil(
    async () => (await api<{ status: string }>(base, "GET", endpoint)).json,
    (m) => m.status === "Operational",
  );
  // mTLS is Operational and no address is allowlisted: nobody can connect, the provider included.
  const none = await hooks.create(await checked({ database: locked, name: "audit", permissions: "none" }));
  expect(none.outs).toMatchObject({ state: "active", permissions: "none", effectivePermissions: { public: "none" } });

  // The loopback rule is still Authorizing when the create starts: only its SQL step waits for it.
  const rule = await api<{ id: string; status: string }>(base, "POST", `${endpoint}/ip-rules`, {
    body: { cidr: "127.0.0.1/32", description: "this machine" },
  });
  expect(rule.json.status).toBe("Authorizing");
  const { id, outs } = await hooks.create(await checked({ database: locked, name: "bi2", permissions: "read-only" }));
  expect(outs.effectivePermissions).toEqual({ public: "read-only" });
  const after = await api<{ status: string }>(base, "GET", `${endpoint}/ip-rules/${rule.json.id}`);
  expect(after.json.status).toBe("Authorized");
  // The level is real: the owner's view of the role's privileges (through the relay, with the rule now in place).
  const read = await hooks.read(outs.username, outs);
  expect(read.props).toMatchObject({ permissions: "read-only" });
  await hooks.delete(none.id, none.outs);
  await hooks.delete(id, outs);
});
