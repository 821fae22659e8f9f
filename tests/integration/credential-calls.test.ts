// What Credential's create and delete ask Heroku, counted in the emulator's request log: three `none` credentials
// on one database (the bench's workload) are made without a GET by name or a read of their attachments, and
// deleted on shared reads (one attachment list, credential lists until they are gone, never a GET by name); a
// delete still leaves alone a credential of the same name that replaced the resource's own. After the database's
// SecureDatabase read it in the same run, its credentials read neither the database's info nor its URL again.
import * as hooks from "../../provider/credential/hooks";
import * as databaseHooks from "../../provider/secure-database/hooks";
import type { CredentialInputs, CredentialOutputs } from "../../provider/credential/types";
import { forgetSharedReads } from "../../provider/heroku/shared-reads";
import { clearClaims } from "../../provider/shared/claims";
import { api, control, pollUntil, provisioned } from "../emulator/helpers";
import { startServices, type Services } from "../support/services";

jest.setTimeout(180_000);
let s: Services;
let base: string;
let db: string;
let addonId: string;

interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}

beforeAll(async () => {
  s = await startServices();
  base = s.emulator.url;
  Object.assign(process.env, s.env);
  await control(base, "PUT", "/speed", { "addon-provision": "immediate", credential: { polls: 2 } });
  const made = await provisioned(base, "acme-api", { plan: "heroku-postgresql:private-0" });
  db = made.addon.name;
  addonId = made.addon.id;
});
afterAll(async () => s?.stop());
beforeEach(() => clearClaims());

async function checked(raw: Record<string, unknown>): Promise<CredentialInputs> {
  const { inputs, failures } = await hooks.check({}, raw);
  expect(failures).toEqual([]);
  return inputs;
}

const log = (): Promise<LoggedRequest[]> => control<LoggedRequest[]>(base, "GET", "/requests");
const byName = (r: LoggedRequest): boolean =>
  r.method === "GET" && /\/postgres\/v0\/databases\/[^/]+\/credentials\/[^/]+$/.test(r.path);
const attachmentReads = (calls: LoggedRequest[], addon: string): LoggedRequest[] =>
  calls.filter((r) => r.method === "GET" && r.path === `/addons/${addon}/addon-attachments`);

test("three `none` credentials: no GET by name, no read of their attachments; their deletes share the reads", async () => {
  const names = ["bench1", "bench2", "bench3"];
  const inputs = await Promise.all(names.map((name) => checked({ database: db, name, permissions: "none" })));
  await control(base, "DELETE", "/requests");
  const made = await Promise.all(inputs.map((i) => hooks.create(i)));
  expect(made.map((m) => m.outs)).toEqual(
    names.map((name) =>
      expect.objectContaining({ name, state: "active", username: name, permissions: "none", attachments: [] }),
    ),
  );
  for (const m of made) expect(m.outs.url).toContain(encodeURIComponent(m.outs.password));
  let calls = await log();
  expect(calls.filter((r) => r.method === "POST").map((r) => r.status)).toEqual([201, 201, 201]);
  expect(calls.filter(byName)).toEqual([]);
  // The credentials' attachments (read by the name they were declared with) are never read; the default
  // credential's URL, which each credential's URL takes its TLS parameters from, is one read shared by all three.
  expect(attachmentReads(calls, db)).toEqual([]);
  expect(attachmentReads(calls, addonId).length).toBeLessThanOrEqual(1);
  // The outputs are what a read by name says.
  for (const m of made) expect((await hooks.read(m.id, m.outs)).props).toEqual(m.outs);

  await control(base, "DELETE", "/requests");
  await Promise.all(made.map((m) => hooks.delete(m.id, m.outs)));
  calls = await log();
  const deletes = calls.filter((r) => r.method === "DELETE" && r.path.includes("/credentials/"));
  expect(deletes.map((r) => r.status)).toEqual([200, 200, 200]);
  expect(attachmentReads(calls, db).length).toBeLessThanOrEqual(1);
  expect(calls.filter(byName)).toEqual([]);
  // Nothing else is read: credential lists and that one attachment list.
  expect(
    calls.filter((r) => r.method === "GET" && !r.path.endsWith("/credentials") && !r.path.endsWith("-attachments")),
  ).toEqual([]);
  const listed = (await api<{ name: string }[]>(base, "GET", `/postgres/v0/databases/${db}/credentials`)).json;
  expect(listed.map((c) => c.name)).toEqual(["default"]);
  // Gone: deleting again reads one list and stops.
  await control(base, "DELETE", "/requests");
  forgetSharedReads(db);
  await hooks.delete(made[0]!.id, made[0]!.outs);
  calls = await log();
  expect(calls.map((r) => `${r.method} ${r.path}`)).toEqual(
    Array(calls.length).fill(`GET /postgres/v0/databases/${db}/credentials`),
  );
  expect(calls.length).toBeLessThanOrEqual(2);
});

test("a delete leaves alone the credential of the same name that replaced its own outside the resource", async () => {
  const mine = await hooks.create(await checked({ database: db, name: "swapped", permissions: "none" }));
  const one = `/postgres/v0/databases/${db}/credentials/swapped`;
  expect((await api(base, "DELETE", one)).status).toBe(200);
  await pollUntil(
    async () => (await api(base, "GET", one)).status,
    (st) => st === 404,
  );
  expect(
    (await api(base, "POST", `/postgres/v0/databases/${db}/credentials`, { body: { name: "swapped" } })).status,
  ).toBe(201);
  const theirs = await pollUntil(
    async () => (await api<{ uuid: string; state: string }>(base, "GET", one)).json,
    (c) => c.state === "active",
  );
  expect(theirs.uuid).not.toBe(mine.id);
  forgetSharedReads(db); // a later run: its reads are its own

  const said: string[] = [];
  const write = jest.spyOn(process.stderr, "write").mockImplementation((text) => {
    said.push(String(text));
    return true;
  });
  await control(base, "DELETE", "/requests");
  try {
    await hooks.delete(mine.id, mine.outs as CredentialOutputs);
  } finally {
    write.mockRestore();
  }
  expect(said.join("")).toContain(
    `(${mine.id} was replaced by ${theirs.uuid} outside this resource), so it was not deleted`,
  );
  const calls = await log();
  expect(calls.filter((r) => r.method !== "GET")).toEqual([]);
  expect(calls.filter(byName)).toEqual([]);
  expect((await api<{ uuid: string }>(base, "GET", one)).json.uuid).toBe(theirs.uuid);
});

test("after its SecureDatabase took the database, a credential reads neither the database's info nor its URL", async () => {
  // A database of its own, so no earlier test's shared reads of it exist.
  const other = await provisioned(base, "acme-api", { plan: "heroku-postgresql:private-0" });
  const { inputs: dbInputs, failures } = await databaseHooks.check(
    {},
    { app: "acme-api", plan: "heroku-postgresql:private-0", adoptAddonId: other.addon.id },
  );
  expect(failures).toEqual([]);
  const database = await databaseHooks.create(dbInputs);
  await control(base, "DELETE", "/requests");
  const made = await hooks.create(await checked({ database: other.addon.id, name: "primed", permissions: "none" }));
  const calls = await log();
  expect(calls.filter((r) => r.method === "GET" && r.path.startsWith("/client/v11/databases/"))).toEqual([]);
  expect(calls.filter((r) => r.path.startsWith("/addons/") || r.path.endsWith("/config-vars"))).toEqual([]);
  // The URL still carries the TLS parameters of the database's own: the same query as its connection URL.
  expect(new URL(made.outs.url).search).toBe(new URL(database.outs.connectionUrl).search);
  expect(made.outs.url).toContain(encodeURIComponent(made.outs.password));
  await hooks.delete(made.id, made.outs);
});
