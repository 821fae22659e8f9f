// Add-on lifecycle through the status machines, attachments, config vars and the resolver.
import * as fs from "node:fs";
import * as path from "node:path";
import { Client } from "pg";
import { type Services } from "../support/services";
import { api, control, pollUntil, provisioned, type AddonJson, startLocalServices } from "./helpers";

jest.setTimeout(120_000);
let s: Services;
let base: string;

beforeAll(async () => ({ services: s, base } = await startLocalServices()));
afterAll(async () => s?.stop());
beforeEach(async () => {
  await control(base, "POST", "/reset");
  await control(base, "PUT", "/speed", { "addon-provision": "immediate", "addon-deprovision": "immediate" });
});

async function canConnect(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url + "&uselibpqcompat=true", connectionTimeoutMillis: 5000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

describe("provisioning", () => {
  test("create answers 201 provisioning; {polls:3} shows provisioned on the third read", async () => {
    await control(base, "PUT", "/speed", { "addon-provision": { polls: 3 } });
    const created = await api<AddonJson>(base, "POST", "/apps/acme-api/addons", {
      body: { plan: { name: "heroku-postgresql:private-0" }, attachment: {} },
    });
    expect(created.status).toBe(201);
    expect(created.json.state).toBe("provisioning");
    expect(created.json.plan.name).toBe("heroku-postgresql:private-0");
    expect(created.json.name).toMatch(/^postgresql-[a-z]+-\d{5}$/);
    const states: string[] = [];
    for (let i = 0; i < 3; i++) {
      states.push((await api<AddonJson>(base, "GET", `/apps/acme-api/addons/${created.json.name}`)).json.state);
    }
    expect(states).toEqual(["provisioning", "provisioning", "provisioned"]);
    const byId = await api<AddonJson>(base, "GET", `/addons/${created.json.id}`);
    expect(byId.json.config_vars).toEqual(["DATABASE_URL"]);
  });

  test("{ms:N} provisions after N ms of emulator time, and the clock can jump there", async () => {
    await control(base, "PUT", "/speed", { "addon-provision": { ms: 60_000 } });
    const created = await api<AddonJson>(base, "POST", "/apps/acme-api/addons", {
      body: { plan: "heroku-postgresql:private-0" },
    });
    expect((await api<AddonJson>(base, "GET", `/addons/${created.json.id}`)).json.state).toBe("provisioning");
    const vars = await api<Record<string, string>>(base, "GET", "/apps/acme-api/config-vars");
    expect(vars.json.DATABASE_URL).toBeUndefined(); // config vars appear once provisioned
    await control(base, "POST", "/clock", { advanceSeconds: 61 });
    expect((await api<AddonJson>(base, "GET", `/addons/${created.json.id}`)).json.state).toBe("provisioned");
  });

  test("plans: string or {name}; Private needs a Private Space, Shield a Shield Space; unknown plans are 422", async () => {
    const cases: [string, string, number][] = [
      ["acme-vault", "heroku-postgresql:private-0", 422],
      ["acme-hobby", "heroku-postgresql:private-0", 422],
      ["acme-api", "heroku-postgresql:shield-0", 422],
      ["acme-vault", "heroku-postgresql:shield-0", 201],
      ["acme-hobby", "heroku-postgresql:essential-0", 201],
      ["acme-hobby", "heroku-postgresql:gold-9", 422],
      ["acme-hobby", "heroku-redis:mini", 422],
      ["acme-api", "heroku-postgresql:private-99", 422],
      ["acme-api", "heroku-postgresql:private-1", 422],
      ["acme-hobby", "heroku-postgresql:essential-3", 422],
      ["acme-fir-api", "heroku-postgresql:shield-0", 422],
    ];
    for (const [app, plan, status] of cases) {
      const r = await api<{ id: string }>(base, "POST", `/apps/${app}/addons`, { body: { plan } });
      expect([app, plan, r.status]).toEqual([app, plan, status]);
      if (status === 422) expect(r.json.id).toBe("invalid_params");
    }
    const unknown = await api<{ message: string }>(base, "POST", "/apps/acme-api/addons", {
      body: { plan: "heroku-postgresql:private-99" },
    });
    expect(unknown.json.message).toBe(
      'Couldn\'t find either the add-on service or the add-on plan of "heroku-postgresql:private-99".',
    );
    const addons = await api<unknown[]>(base, "GET", "/apps/acme-api/addons");
    expect(addons.json).toEqual([]);
  });

  test("the plan list: every plan a create accepts, and nothing else", async () => {
    const list = await api<{ name: string; addon_service: { name: string }; price: { cents: number } }[]>(
      base,
      "GET",
      "/addon-services/heroku-postgresql/plans",
    );
    expect(list.status).toBe(200);
    const names = list.json.map((p) => p.name);
    expect(names).toContain("heroku-postgresql:private-0");
    expect(names).toContain("heroku-postgresql:essential-0");
    expect(names).not.toContain("heroku-postgresql:private-99");
    expect(new Set(list.json.map((p) => p.addon_service.name))).toEqual(new Set(["heroku-postgresql"]));
    const one = await api<{ name: string }>(base, "GET", "/addon-services/heroku-postgresql/plans/private-2");
    expect(one.json.name).toBe("heroku-postgresql:private-2");
    expect((await api(base, "GET", "/addon-services/heroku-postgresql/plans/private-99")).status).toBe(422);
    expect((await api(base, "GET", "/addon-services/heroku-redis/plans")).status).toBe(404);
    // Every listed plan of the tiers an app in a Private Space may use is accepted by a create there.
    for (const plan of names.filter((n) => /:(private|standard)-/.test(n)).slice(0, 3)) {
      expect((await api(base, "POST", "/apps/acme-api/addons", { body: { plan } })).status).toBe(201);
    }
  });

  test("apps report their generation: Cedar unless in a Fir space", async () => {
    const cedar = await api<{ generation: { name: string } }>(base, "GET", "/apps/acme-api");
    const fir = await api<{ generation: { name: string } }>(base, "GET", "/apps/acme-fir-api");
    expect([cedar.json.generation.name, fir.json.generation.name]).toEqual(["cedar", "fir"]);
  });

  test("names: a given name is used and must be unique", async () => {
    const first = await api<AddonJson>(base, "POST", "/apps/acme-api/addons", {
      body: { plan: "heroku-postgresql:private-0", name: "acme-main-db" },
    });
    expect(first.json.name).toBe("acme-main-db");
    const again = await api<{ message: string }>(base, "POST", "/apps/acme-reports/addons", {
      body: { plan: "heroku-postgresql:private-0", name: "acme-main-db" },
    });
    expect(again.status).toBe(422);
    expect(again.json.message).toBe("Name is already taken");
  });
});

describe("attachments and config vars", () => {
  test("first database is DATABASE, later ones HEROKU_POSTGRESQL_<COLOR>, or the requested name", async () => {
    const a = await provisioned(base, "acme-api", { plan: "heroku-postgresql:private-0" });
    const b = await provisioned(base, "acme-api", { plan: "heroku-postgresql:private-0" });
    const c = await provisioned(base, "acme-api", {
      plan: "heroku-postgresql:private-0",
      attachment: { name: "ANALYTICS" },
    });
    expect(a.addon.config_vars).toEqual(["DATABASE_URL"]);
    expect(b.addon.config_vars).toEqual(["HEROKU_POSTGRESQL_AMBER_URL"]);
    expect(c.addon.config_vars).toEqual(["ANALYTICS_URL"]);
    expect(Object.keys(c.vars).sort()).toEqual(["ANALYTICS_URL", "DATABASE_URL", "HEROKU_POSTGRESQL_AMBER_URL"]);
    expect(c.vars.DATABASE_URL).toMatch(
      /^postgres:\/\/u[a-z0-9]{13}:[A-Za-z0-9]{65}@127\.0\.0\.1:\d+\/d[a-z0-9]{13}\?sslmode=require$/,
    );
  });

  test("attach to another app (addon/app as strings or {name}), list, fetch by name, detach", async () => {
    const { addon, vars } = await provisioned(base, "acme-api", { plan: "heroku-postgresql:private-0" });
    const att = await api<{
      id: string;
      name: string;
      namespace: null;
      addon: { name: string; app: { name: string } };
    }>(base, "POST", "/addon-attachments", {
      body: { addon: { name: addon.name }, app: "acme-reports", name: "SHARED_DB" },
    });
    expect(att.status).toBe(201);
    expect(att.json).toMatchObject({
      name: "SHARED_DB",
      namespace: null,
      addon: { name: addon.name, app: { name: "acme-api" } },
    });
    const reportsVars = await api<Record<string, string>>(base, "GET", "/apps/acme-reports/config-vars");
    expect(reportsVars.json.SHARED_DB_URL).toBe(vars.DATABASE_URL);
    const auto = await api<{ name: string }>(base, "POST", "/addon-attachments", {
      body: { addon: addon.id, app: { name: "acme-reports" } },
    });
    expect(auto.json.name).toBe("HEROKU_POSTGRESQL_AMBER");

    const byAddon = await api<{ name: string }[]>(base, "GET", `/addons/${addon.id}/addon-attachments`);
    expect(byAddon.json.map((a) => a.name).sort()).toEqual(["DATABASE", "HEROKU_POSTGRESQL_AMBER", "SHARED_DB"]);
    expect((await api<unknown[]>(base, "GET", "/apps/acme-reports/addon-attachments")).json).toHaveLength(2);
    expect((await api<unknown[]>(base, "GET", "/addon-attachments")).json).toHaveLength(3);
    const one = await api<{ id: string }>(base, "GET", "/apps/acme-reports/addon-attachments/SHARED_DB");
    expect(one.json.id).toBe(att.json.id);

    const dup = await api(base, "POST", "/addon-attachments", {
      body: { addon: addon.name, app: "acme-reports", name: "SHARED_DB" },
    });
    expect(dup.status).toBe(422);
    expect((await api(base, "DELETE", `/addon-attachments/${att.json.id}`)).status).toBe(200);
    expect((await api(base, "GET", "/apps/acme-reports/addon-attachments/SHARED_DB")).status).toBe(404);
    expect(
      (await api<Record<string, string>>(base, "GET", "/apps/acme-reports/config-vars")).json.SHARED_DB_URL,
    ).toBeUndefined();
  });

  test("config vars: PATCH accepts strings and booleans, null removes, attachment vars cannot be overwritten", async () => {
    await provisioned(base, "acme-api", { plan: "heroku-postgresql:private-0" });
    const set = await api<Record<string, string>>(base, "PATCH", "/apps/acme-api/config-vars", {
      body: { A: "1", FLAG: true },
    });
    expect(set.json).toMatchObject({ A: "1", FLAG: "true", DATABASE_URL: expect.any(String) });
    const removed = await api<Record<string, string>>(base, "PATCH", "/apps/acme-api/config-vars", {
      body: { A: null },
    });
    expect(removed.json.A).toBeUndefined();
    const clash = await api<{ id: string }>(base, "PATCH", "/apps/acme-api/config-vars", {
      body: { DATABASE_URL: "x" },
    });
    expect(clash.status).toBe(422);
  });

  test("resolve finds an add-on by name, id, or attachment name on an app", async () => {
    const { addon } = await provisioned(base, "acme-api", { plan: "heroku-postgresql:private-0" });
    for (const body of [
      { addon: addon.name },
      { addon: addon.id },
      { addon: "DATABASE", app: "acme-api" },
      { addon: "DATABASE_URL", app: "acme-api" },
    ]) {
      const r = await api<AddonJson[]>(base, "POST", "/actions/addons/resolve", { body });
      expect(r.json.map((a) => a.id)).toEqual([addon.id]);
    }
    expect((await api(base, "POST", "/actions/addons/resolve", { body: { addon: "nope" } })).status).toBe(404);
  });
});

describe("deprovisioning", () => {
  test("delete shows deprovisioning, then 404; the database's cluster is stopped and removed", async () => {
    await control(base, "PUT", "/speed", { "addon-deprovision": { polls: 2 } });
    const { addon, vars } = await provisioned(base, "acme-api", { plan: "heroku-postgresql:private-0" });
    const adminUrl = s.emulator.adminDatabaseUrls()[addon.name]!;
    expect(await canConnect(adminUrl)).toBe(true);
    const dataDir = path.join(s.stateDir, "clusters", new URL(vars.DATABASE_URL!).pathname.slice(1));
    expect(fs.existsSync(dataDir)).toBe(true);
    const del = await api<AddonJson>(base, "DELETE", `/apps/acme-api/addons/${addon.id}`);
    expect(del.status).toBe(200);
    expect(del.json.state).toBe("deprovisioning");
    expect((await api<AddonJson>(base, "GET", `/addons/${addon.id}`)).json.state).toBe("deprovisioning");
    await pollUntil(
      async () => (await api(base, "GET", `/addons/${addon.id}`)).status,
      (st) => st === 404,
    );
    expect((await api(base, "GET", `/client/v11/databases/${addon.id}`)).status).toBe(404);
    expect(await canConnect(adminUrl)).toBe(false);
    expect(await canConnect(vars.DATABASE_URL!)).toBe(false);
    expect(fs.existsSync(dataDir)).toBe(false);
    expect(s.emulator.adminDatabaseUrls()[addon.name]).toBeUndefined();
    expect(
      (await api<Record<string, string>>(base, "GET", "/apps/acme-api/config-vars")).json.DATABASE_URL,
    ).toBeUndefined();
  });

  test("DELETE /addons/{id} works too, and the wait_status of a live database is not waiting", async () => {
    const { addon } = await provisioned(base, "acme-api", { plan: "heroku-postgresql:private-0" });
    const wait = await api(base, "GET", `/client/v11/databases/${addon.id}/wait_status`);
    expect(wait.json).toEqual({ "waiting?": false, "error?": false, message: "Available" });
    expect((await api(base, "DELETE", `/addons/${addon.name}`)).status).toBe(200);
    await pollUntil(
      async () => (await api(base, "GET", `/apps/acme-api/addons/${addon.id}`)).status,
      (st) => st === 404,
    );
  });
});

describe("speed presets", () => {
  test("PUT /speed with a preset and factor sets every machine; a machine named in the same body wins", async () => {
    const speeds = await control<Record<string, unknown>>(base, "PUT", "/speed", {
      preset: "heroku",
      factor: 0.1,
      "addon-provision": "immediate",
    });
    expect(speeds).toMatchObject({ "addon-provision": "immediate", mtls: { ms: 45_000 }, "ip-rule": { ms: 18_000 } });
  });

  test.each([
    [{ preset: "fast" }, "preset must be one of standalone, immediate, heroku."],
    [{ preset: "heroku", factor: 0 }, "factor must be a number above 0."],
    [{ factor: 2 }, "preset must be one of standalone, immediate, heroku."],
  ])("PUT /speed %j answers 422", async (body, message) => {
    const res = await fetch(`${base}/__emulator/speed`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { message: string }).message).toBe(message);
  });
});
