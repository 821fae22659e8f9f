// Authentication, team visibility and the common response headers of the emulator's Platform and Data APIs.
import { GLOBEX_TOKEN, startServices, type Services } from "../support/services";
import { api, control, provisioned, type AddonJson } from "./helpers";

jest.setTimeout(120_000);
let s: Services;
let base: string;
let acmeAddon: AddonJson;

beforeAll(async () => {
  s = await startServices();
  base = s.emulator.url;
  await control(base, "PUT", "/speed", { "addon-provision": "immediate", "addon-deprovision": "immediate" });
  acmeAddon = (await provisioned(base, "acme-api", { plan: "heroku-postgresql:private-0" })).addon;
});
afterAll(async () => s?.stop());

describe("authentication", () => {
  test("Bearer token works on the Platform API", async () => {
    const r = await api<{ name: string }>(base, "GET", "/apps/acme-api");
    expect(r.status).toBe(200);
    expect(r.json.name).toBe("acme-api");
  });

  test("Basic with an empty user and the token as password works on both APIs", async () => {
    expect((await api(base, "GET", "/apps/acme-api", { auth: "basic" })).status).toBe(200);
    expect((await api(base, "GET", `/client/v11/databases/${acmeAddon.name}`, { auth: "basic" })).status).toBe(200);
  });

  test.each([
    ["no token", null],
    ["a wrong token", "not-a-token"],
  ])("%s answers 401 unauthorized", async (_label, token) => {
    for (const path of ["/apps", `/client/v11/databases/${acmeAddon.id}`]) {
      const r = await api(base, "GET", path, { token });
      expect(r.status).toBe(401);
      expect(r.json).toEqual({ id: "unauthorized", message: "Invalid credentials provided." });
    }
  });

  test("another team's app and add-on answer 403 forbidden; lists hide them", async () => {
    const app = await api<{ id: string; message: string }>(base, "GET", "/apps/acme-api", { token: GLOBEX_TOKEN });
    expect(app.status).toBe(403);
    expect(app.json.id).toBe("forbidden");
    const addon = await api<{ id: string }>(base, "GET", `/addons/${acmeAddon.id}`, { token: GLOBEX_TOKEN });
    expect(addon.status).toBe(403);
    const create = await api(base, "POST", "/apps/acme-api/addons", {
      token: GLOBEX_TOKEN,
      body: { plan: "heroku-postgresql:private-0" },
    });
    expect(create.status).toBe(403);
    const data = await api<{ id: string }>(base, "GET", `/client/v11/databases/${acmeAddon.name}`, {
      token: GLOBEX_TOKEN,
    });
    expect(data.status).toBe(403);
    const apps = await api<{ name: string }[]>(base, "GET", "/apps", { token: GLOBEX_TOKEN });
    expect(apps.json.map((a) => a.name)).toEqual(["globex-api"]);
    const addons = await api<AddonJson[]>(base, "GET", "/addons", { token: GLOBEX_TOKEN });
    expect(addons.json).toEqual([]);
  });
});

describe("response conventions", () => {
  test("Platform responses carry Request-Id, RateLimit-Remaining and JSON content type", async () => {
    const r = await api(base, "GET", "/apps/acme-api");
    expect(r.headers.get("request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(r.headers.get("ratelimit-remaining"))).toBeGreaterThan(4000);
    expect(r.headers.get("content-type")).toBe("application/json");
  });

  test("Data API responses carry no rate-limit header; an unknown database is an HTML 404", async () => {
    const r = await api(base, "GET", `/client/v11/databases/${acmeAddon.id}`);
    expect(r.headers.get("ratelimit-remaining")).toBeNull();
    expect(r.headers.get("content-type")).toBe("application/json;charset=utf-8");
    const missing = await api(base, "GET", "/client/v11/databases/postgresql-nothing-00000");
    expect(missing.status).toBe(404);
    expect(missing.text).toBe("<h1>Not Found</h1>");
  });

  test("apps show their space and region", async () => {
    const vault = await api<{ space: unknown; region: { name: string } }>(base, "GET", "/apps/acme-vault");
    expect(vault.json.space).toEqual({ id: expect.any(String), name: "acme-shield", shield: true });
    expect(vault.json.region.name).toBe("oregon");
    const hobby = await api<{ space: unknown; region: { name: string } }>(base, "GET", "/apps/acme-hobby");
    expect(hobby.json.space).toBeNull();
    expect(hobby.json.region.name).toBe("us");
  });

  test("unimplemented routes answer 501 naming the route", async () => {
    // The Advanced tier's Data API v1 (heroku-api.md 2.5) is outside what this project manages.
    const path = `/data/postgres/v1/${acmeAddon.id}/credentials`;
    const r = await api<{ id: string; message: string }>(base, "POST", path);
    expect(r.status).toBe(501);
    expect(r.json.id).toBe("not_implemented");
    expect(r.json.message).toContain(`POST ${path}`);
  });

  test("a missing Accept version is tolerated", async () => {
    const r = await api(base, "GET", "/apps/acme-api", { headers: { Accept: "application/json" } });
    expect(r.status).toBe(200);
  });

  test("a malformed JSON body is a 400 bad_request", async () => {
    const res = await fetch(`${base}/apps/acme-api/addons`, {
      method: "POST",
      headers: { Authorization: "Bearer hps-acme-token-0001", "Content-Type": "application/json" },
      body: "{not json",
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { id: string }).id).toBe("bad_request");
  });
});
