// Plan changes in place (`heroku addons:upgrade`: PATCH /apps/{app}/addons/{addon} {plan}): the data stays (the same
// cluster), the database is unavailable only during the changeover, and what Heroku refuses is refused.
import { type Services } from "../support/services";
import { api, control, provisioned, row, sql, type AddonJson, type InfoJson, startLocalServices } from "./helpers";

jest.setTimeout(120_000);
let s: Services;
let base: string;

interface ErrorJson {
  id: string;
  message: string;
}

beforeAll(async () => ({ services: s, base } = await startLocalServices()));
afterAll(async () => s?.stop());
beforeEach(async () => {
  await control(base, "POST", "/reset");
  await control(base, "PUT", "/speed", { "addon-provision": "immediate", "addon-deprovision": "immediate" });
});

const patch = (app: string, addon: string, plan: unknown) =>
  api<AddonJson & ErrorJson>(base, "PATCH", `/apps/${app}/addons/${addon}`, { body: { plan } });
const wait = async (db: string): Promise<{ "waiting?": boolean; message: string }> =>
  (await api<{ "waiting?": boolean; message: string }>(base, "GET", `/client/v11/databases/${db}/wait_status`)).json;

test("addons:upgrade's PATCH changes the plan in place: preparing, a short unavailability, the same data", async () => {
  const { addon, vars } = await provisioned(base, "acme-api", { plan: "heroku-postgresql:private-0" });
  const url = vars.DATABASE_URL!;
  await sql(url, "CREATE TABLE notes (body text)");
  await sql(url, "INSERT INTO notes VALUES ('kept')");
  // Each read of the database (wait_status here) is one poll of its machines.
  await control(base, "PUT", "/speed", { "plan-change": { polls: 2 }, "plan-changeover": { polls: 2 } });

  const r = await patch("acme-api", addon.name, { name: "heroku-postgresql:private-2" });
  expect(r.status).toBe(200);
  expect(r.json.plan.name).toBe("heroku-postgresql:private-2");
  expect(r.json.state).toBe("provisioned");
  expect(await wait(addon.id)).toMatchObject({ "waiting?": true, message: "Preparing the change to Private 2" });
  // Still available while the replacement is prepared.
  expect(await sql(url, "SELECT body FROM notes")).toEqual([{ body: "kept" }]);

  expect(await wait(addon.id)).toMatchObject({ "waiting?": true, message: "Changing over to Private 2" });
  await expect(sql(url, "SELECT 1")).rejects.toThrow(/not currently accepting connections/);
  const during = (
    await api<InfoJson & { available_for_ingress: boolean }>(base, "GET", `/client/v11/databases/${addon.id}`)
  ).json;
  expect(row(during, "Status")).toEqual(["Unavailable: changing plan"]);
  expect(during.available_for_ingress).toBe(false);

  expect(await wait(addon.id)).toMatchObject({ "waiting?": false, message: "Available" });
  expect(await sql(url, "SELECT body FROM notes")).toEqual([{ body: "kept" }]);
  const after = (await api<InfoJson>(base, "GET", `/client/v11/databases/${addon.id}`)).json;
  expect(row(after, "Plan")).toEqual(["Private 2"]);
  // The URL and config vars stay as they were.
  expect((await api<Record<string, string>>(base, "GET", "/apps/acme-api/config-vars")).json.DATABASE_URL).toBe(url);
  // The same plan again (a client repeating a PATCH whose answer it lost) changes nothing.
  const same = await patch("acme-api", addon.id, "heroku-postgresql:private-2");
  expect([same.status, await wait(addon.id)]).toEqual([200, expect.objectContaining({ "waiting?": false })]);
});

test("refusals: unknown plans, other services, leaving Essential, placement, a change under way", async () => {
  const { addon } = await provisioned(base, "acme-api", { plan: "heroku-postgresql:private-0" });
  const { addon: hobby } = await provisioned(base, "acme-hobby", { plan: "heroku-postgresql:essential-0" });
  const cases: [string, string, string, RegExp][] = [
    [
      "acme-api",
      addon.name,
      "heroku-postgresql:private-x",
      /^Couldn't find either the add-on service or the add-on plan/,
    ],
    ["acme-api", addon.name, "heroku-redis:premium-0", /^Couldn't find either the add-on service or the add-on plan/],
    ["acme-api", addon.name, "heroku-postgresql:shield-0", /only available to apps in a Shield Space/],
    ["acme-hobby", hobby.name, "heroku-postgresql:standard-0", /Essential-tier databases change plans only within/],
  ];
  for (const [app, name, plan, message] of cases) {
    const r = await patch(app, name, plan);
    expect([r.status, r.json.message]).toEqual([422, expect.stringMatching(message)]);
  }
  expect((await patch("acme-hobby", hobby.name, "essential-1")).json.plan.name).toBe("heroku-postgresql:essential-1");

  await control(base, "PUT", "/speed", { "plan-change": { ms: 3_600_000 } });
  expect((await patch("acme-api", addon.name, "heroku-postgresql:private-2")).status).toBe(200);
  const busy = await patch("acme-api", addon.name, "heroku-postgresql:private-3");
  expect([busy.status, busy.json.message]).toEqual([
    422,
    `${addon.name} is already changing from heroku-postgresql:private-0 to heroku-postgresql:private-2; wait for it to finish (heroku pg:wait).`,
  ]);
  // The add-on must belong to the app in the path.
  expect((await patch("acme-reports", addon.name, "heroku-postgresql:private-2")).status).toBe(404);
});
