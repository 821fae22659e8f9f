// Many stacks, one emulator (issue 20): two stacks each have a database with credentials `analyst` and
// `reporting`, and a third run replaces one database (a new add-on name) with its credentials in place. Each
// credential connects with psql with its own password and sees only its own database's tables.
import { api } from "../emulator/helpers";
import { psql } from "../support/mtls-connect";
import { runStack, type StackOptions } from "../support/pulumi";
import { e2eFixture, stackOptions, testProgram } from "./fixture";

jest.setTimeout(30 * 60_000);

const fixture = e2eFixture("scope");

function stack(name: string, config: Record<string, string>): StackOptions {
  return stackOptions(
    testProgram("credential-scope", "hps-scope"),
    { workDir: fixture.workDir, env: fixture.s.env },
    name,
    {
      config,
      resetConfig: true,
    },
  );
}

interface CredentialJson {
  host: string;
  port: number;
  database: string;
  credentials: { user: string; password: string; state: string }[];
}

/** The credential's URL as `heroku pg:credentials:url` builds it, from the Data API. */
async function urlOf(addon: string, name: string): Promise<string> {
  const c = (
    await api<CredentialJson>(fixture.s.emulator.url, "GET", `/postgres/v0/databases/${addon}/credentials/${name}`)
  ).json;
  const user = c.credentials.find((u) => u.state === "active")!;
  return `postgres://${user.user}:${encodeURIComponent(user.password)}@${c.host}:${c.port}/${c.database}?sslmode=require`;
}

/** Makes a table in the database as its owner (the default credential). */
async function tableFor(addon: string, table: string): Promise<void> {
  await psql(
    await urlOf(addon, "default"),
    `CREATE TABLE ${table} (id int); GRANT SELECT ON ${table} TO analyst, reporting`,
  );
}

async function tablesSeenBy(addon: string, name: string): Promise<string> {
  return psql(
    await urlOf(addon, name),
    "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'public'",
  );
}

test("two stacks' databases each have their own analyst and reporting; a replacement keeps the names", async () => {
  const dev = await runStack("up", stack("dev", { app: "acme-api" }));
  expect(dev.error).toBeUndefined();
  const prod = await runStack("up", stack("prod", { app: "acme-eu" }));
  expect(prod.error).toBeUndefined();
  const devDb = String(dev.outputs?.addonName);
  const prodDb = String(prod.outputs?.addonName);
  await tableFor(devDb, "dev_orders");
  await tableFor(prodDb, "prod_orders");
  for (const name of ["analyst", "reporting"]) {
    expect(await tablesSeenBy(devDb, name)).toBe("dev_orders");
    expect(await tablesSeenBy(prodDb, name)).toBe("prod_orders");
  }
  // Same names, different passwords: each database's credential is its own.
  expect(await urlOf(devDb, "analyst")).not.toBe(await urlOf(prodDb, "analyst"));

  // A new add-on name replaces dev's database (made before the old one is deleted) with both credentials.
  const replaced = await runStack("up", stack("dev", { app: "acme-api", addonName: "postgresql-scope-dev-2" }));
  expect(replaced.error).toBeUndefined();
  expect(replaced.outputs?.addonName).toBe("postgresql-scope-dev-2");
  await tableFor("postgresql-scope-dev-2", "dev_orders_v2");
  for (const name of ["analyst", "reporting"]) {
    expect(await tablesSeenBy("postgresql-scope-dev-2", name)).toBe("dev_orders_v2");
    expect(await tablesSeenBy(prodDb, name)).toBe("prod_orders");
  }
  const addons = (await api<{ name: string }[]>(fixture.s.emulator.url, "GET", "/apps/acme-api/addons")).json;
  expect(addons.map((a) => a.name)).not.toContain(devDb);

  expect(
    (await runStack("destroy", stack("dev", { app: "acme-api", addonName: "postgresql-scope-dev-2" }))).error,
  ).toBeUndefined();
  expect((await runStack("destroy", stack("prod", { app: "acme-eu" }))).error).toBeUndefined();
});
