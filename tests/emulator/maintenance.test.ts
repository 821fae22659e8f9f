// App maintenance (`heroku maintenance:on|off`: PATCH /apps/{app} {maintenance}): the flag is stored and shown, and
// the app's databases stay writable (Heroku's maintenance mode stops web traffic, not the database).
import { startServices, type Services } from "../support/services";
import { api, control, provisioned, sql } from "./helpers";

jest.setTimeout(120_000);
let s: Services;
let base: string;

beforeAll(async () => {
  s = await startServices();
  base = s.emulator.url;
  await control(base, "PUT", "/speed", { "addon-provision": "immediate" });
});
afterAll(async () => s?.stop());

const maintenance = async (app: string): Promise<boolean> =>
  (await api<{ maintenance: boolean }>(base, "GET", `/apps/${app}`)).json.maintenance;

test("maintenance on and off; the database stays writable", async () => {
  const { vars } = await provisioned(base, "acme-api", { plan: "heroku-postgresql:private-0" });
  expect(await maintenance("acme-api")).toBe(false);
  const on = await api<{ maintenance: boolean; updated_at: string }>(base, "PATCH", "/apps/acme-api", {
    body: { maintenance: true },
  });
  expect([on.status, on.json.maintenance]).toEqual([200, true]);
  expect(await maintenance("acme-api")).toBe(true);
  expect(await maintenance("acme-reports")).toBe(false);
  await sql(vars.DATABASE_URL!, "CREATE TABLE t (x int)");
  await sql(vars.DATABASE_URL!, "INSERT INTO t VALUES (1)");
  await api(base, "PATCH", "/apps/acme-api", { body: { maintenance: false } });
  expect(await maintenance("acme-api")).toBe(false);
  // The state survives in the store like everything else.
  const state = await control<{ apps: { name: string; maintenance?: boolean }[] }>(base, "GET", "/state");
  expect(state.apps.find((a) => a.name === "acme-api")?.maintenance).toBe(false);
});

test("refusals: not a boolean, fields the emulator does not change, another team's app", async () => {
  const bad = await api<{ message: string }>(base, "PATCH", "/apps/acme-api", { body: { maintenance: "yes" } });
  expect([bad.status, bad.json.message]).toEqual([422, "maintenance must be true or false."]);
  const other = await api<{ message: string }>(base, "PATCH", "/apps/acme-api", { body: { name: "renamed" } });
  expect([other.status, other.json.message]).toEqual([
    422,
    "The emulator changes only maintenance on an app; name cannot be changed here.",
  ]);
  const foreign = await api(base, "PATCH", "/apps/globex-api", { body: { maintenance: true } });
  expect(foreign.status).toBe(403);
  expect(await maintenance("acme-api")).toBe(false);
});
