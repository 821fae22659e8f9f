// Two stacks against one emulator, through the provider hooks: a dev and a prod SecureDatabase, each with the
// Credentials `analyst` and `reporting` (read-only, so the provider runs GRANT ... TO "analyst" as each database's
// default credential), then a major-version change that replaces dev the way Pulumi does (the new database and its
// credentials first, the old ones deleted after). Each credential connects with psql with its own password and
// sees only its own database's tables.
import * as credentialHooks from "../../provider/credential/hooks";
import type { CredentialOutputs } from "../../provider/credential/types";
import * as databaseHooks from "../../provider/secure-database/hooks";
import type { SecureDatabaseInputs, SecureDatabaseOutputs } from "../../provider/secure-database/types";
import { control } from "../emulator/helpers";
import { psql } from "../support/mtls-connect";
import { ACME_PRIVATE_APP, ACME_REPORTS_APP, startServices, type Services } from "../support/services";

jest.setTimeout(240_000);
let s: Services;

const NAMES = ["analyst", "reporting"] as const;
const TABLES = "select string_agg(tablename, ',' order by tablename) from pg_tables where schemaname = 'public'";

interface Stack {
  database: { id: string; inputs: SecureDatabaseInputs; outs: SecureDatabaseOutputs };
  credentials: { id: string; outs: CredentialOutputs }[];
}

beforeAll(async () => {
  s = await startServices();
  Object.assign(process.env, s.env);
  await control(s.emulator.url, "PUT", "/speed", {
    "addon-provision": "immediate",
    "addon-deprovision": "immediate",
    credential: "immediate",
  });
});
afterAll(async () => s?.stop());

async function database(app: string, plan: string, table: string): Promise<Stack["database"]> {
  const { inputs, failures } = await databaseHooks.check({}, { app, plan });
  expect(failures).toEqual([]);
  const { id, outs } = await databaseHooks.create(inputs);
  await psql(outs.connectionUrl, `create table ${table} (id int); insert into ${table} values (1)`);
  return { id, inputs, outs };
}

async function credentials(db: SecureDatabaseOutputs): Promise<Stack["credentials"]> {
  const made: Stack["credentials"] = [];
  for (const name of NAMES) {
    const { inputs, failures } = await credentialHooks.check(
      {},
      { database: db.addonName, name, permissions: "read-only" },
    );
    expect(failures).toEqual([]);
    made.push(await credentialHooks.create(inputs));
  }
  return made;
}

async function stack(app: string, table: string): Promise<Stack> {
  const db = await database(app, "heroku-postgresql:private-0", table);
  return { database: db, credentials: await credentials(db.outs) };
}

/** Each credential, with psql and its own password: who it is, which tables it sees, and that it reads its own. */
async function expectOwnTablesOnly(st: Stack, table: string, otherTable: string): Promise<void> {
  for (const { outs } of st.credentials) {
    expect(new URL(outs.url).username).toBe(outs.name);
    expect(await psql(outs.url, `select current_user || ' ' || (${TABLES})`)).toBe(`${outs.name} ${table}`);
    expect(await psql(outs.url, `select count(*) from ${table}`)).toBe("1");
    await expect(psql(outs.url, `select count(*) from ${otherTable}`)).rejects.toThrow(/does not exist/);
    await expect(psql(outs.url, `insert into ${table} values (2)`)).rejects.toThrow(/permission denied/);
  }
}

test("dev and prod each have analyst and reporting; a replaced dev database takes the same names", async () => {
  const dev = await stack(ACME_PRIVATE_APP, "dev_orders");
  const prod = await stack(ACME_REPORTS_APP, "prod_orders");
  const passwords = [...dev.credentials, ...prod.credentials].map((c) => c.outs.password);
  expect(new Set(passwords).size).toBe(4);
  await expectOwnTablesOnly(dev, "dev_orders", "prod_orders");
  await expectOwnTablesOnly(prod, "prod_orders", "dev_orders");

  // The provider reads each role's grants by its name in its own database: no drift in either stack.
  for (const { id, outs } of [...dev.credentials, ...prod.credentials]) {
    expect((await credentialHooks.read(id, outs)).props).toEqual(outs);
  }

  // A major-version change replaces dev (a plan changes in place): the new database and its credentials are made
  // while the old ones still exist.
  const wanted = { ...dev.database.inputs, postgresVersion: "16" };
  expect((await databaseHooks.diff(dev.database.id, dev.database.outs, wanted)).replaces).toEqual(["postgresVersion"]);
  const replacementDb = await database(ACME_PRIVATE_APP, wanted.plan, "dev_orders_v2");
  const replacement: Stack = { database: replacementDb, credentials: await credentials(replacementDb.outs) };
  await expectOwnTablesOnly(replacement, "dev_orders_v2", "dev_orders");
  await expectOwnTablesOnly(dev, "dev_orders", "dev_orders_v2");
  for (const { id, outs } of dev.credentials) await credentialHooks.delete(id, outs);
  await databaseHooks.delete(dev.database.id, dev.database.outs);

  await expectOwnTablesOnly(replacement, "dev_orders_v2", "prod_orders");
  await expectOwnTablesOnly(prod, "prod_orders", "dev_orders_v2");
  for (const { outs } of dev.credentials) await expect(psql(outs.url, "select 1")).rejects.toThrow();
});
