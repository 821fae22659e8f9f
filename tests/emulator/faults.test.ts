// Probabilistic and "lost answer" faults on the real emulator server: which requests fail, what the client sees,
// what the emulator really did (its state and request log), and that a seed makes a run reproducible.
import { startServices, type Services } from "../support/services";
import { api, control, provisioned, type AddonJson } from "./helpers";

jest.setTimeout(120_000);
let s: Services;
let base: string;
let db: string;

interface Logged {
  method: string;
  path: string;
  status: number;
  handled?: number;
}

const log = (): Promise<Logged[]> => control<Logged[]>(base, "GET", "/requests");
const names = (list: { name: string }[]): string[] => list.map((x) => x.name).sort();

beforeAll(async () => {
  s = await startServices();
  base = s.emulator.url;
  await control(base, "PUT", "/speed", { "addon-provision": "immediate", credential: "immediate" });
  db = (await provisioned(base, "acme-api", { plan: "heroku-postgresql:private-0", name: "faultsdb" })).addon.name;
});
afterAll(async () => s?.stop());
beforeEach(async () => {
  await control(base, "DELETE", "/faults");
  await control(base, "DELETE", "/requests");
});

describe("a probabilistic fault", () => {
  const body = { path: "^/apps/acme-api$", statuses: [429, 500, 502, 503, "drop"], rate: 0.2, seed: 1234 };

  /** 150 GETs, one after another; the status each got (0 for a dropped connection). */
  async function statuses(): Promise<number[]> {
    const seen: number[] = [];
    for (let i = 0; i < 150; i++) {
      const r = await api(base, "GET", "/apps/acme-api").catch(() => undefined);
      seen.push(r?.status ?? 0);
    }
    return seen;
  }

  test("fails about the configured fraction with the configured answers, the rest go through", async () => {
    await control(base, "POST", "/faults", body);
    const seen = await statuses();
    const failed = seen.filter((x) => x !== 200);
    // 150 draws at p = 0.2: mean 30, standard deviation 4.9; 12..48 is more than three of them either side.
    expect(failed.length).toBeGreaterThan(12);
    expect(failed.length).toBeLessThan(48);
    for (const x of failed) expect([429, 500, 502, 503, 0]).toContain(x);
    expect(new Set(failed).size).toBeGreaterThan(1);
    // The log agrees with what the client saw, and the fault stays with its count.
    expect((await log()).map((r) => r.status)).toEqual(seen);
    expect(await control(base, "GET", "/faults")).toEqual([
      expect.objectContaining({ rate: 0.2, seed: 1234, times: null, fired: failed.length }),
    ]);
  });

  test("the same seed fails the same requests with the same answers", async () => {
    await control(base, "POST", "/faults", body);
    const first = await statuses();
    await control(base, "DELETE", "/faults");
    await control(base, "POST", "/faults", body);
    expect(await statuses()).toEqual(first);
  });

  test("matches on method and path: other calls are never hit", async () => {
    await control(base, "POST", "/faults", { method: "POST", path: "/ip-rules$", status: 503, rate: 0.5 });
    for (let i = 0; i < 30; i++) expect((await api(base, "GET", "/apps/acme-api")).status).toBe(200);
    expect(await control(base, "GET", "/faults")).toEqual([expect.objectContaining({ fired: 0 })]);
  });
});

describe("a lost answer (after: true)", () => {
  test("a create answered 503: the client sees the error, yet the add-on exists", async () => {
    await control(base, "POST", "/faults", {
      method: "POST",
      path: "^/apps/acme-api/addons$",
      status: 503,
      after: true,
    });
    const r = await api<{ id: string }>(base, "POST", "/apps/acme-api/addons", {
      body: { plan: "heroku-postgresql:standard-0", name: "lost-create" },
    });
    expect([r.status, r.json.id]).toEqual([503, "internal_server_error"]);
    const addons = await api<AddonJson[]>(base, "GET", "/apps/acme-api/addons");
    expect(names(addons.json)).toContain("lost-create");
    expect((await log())[0]).toEqual(
      expect.objectContaining({ method: "POST", path: "/apps/acme-api/addons", status: 503, handled: 201 }),
    );
    // A plain fault answers before the work: nothing is made.
    await control(base, "POST", "/faults", { method: "POST", path: "^/apps/acme-api/addons$", status: 503 });
    const refused = await api(base, "POST", "/apps/acme-api/addons", {
      body: { plan: "heroku-postgresql:standard-0", name: "never-made" },
    });
    expect(refused.status).toBe(503);
    expect(names((await api<AddonJson[]>(base, "GET", "/apps/acme-api/addons")).json)).not.toContain("never-made");
  });

  test("a credential create whose connection drops: fetch fails, the credential is there", async () => {
    const path = `/postgres/v0/databases/${db}/credentials`;
    await control(base, "POST", "/faults", { method: "POST", path: "/credentials$", drop: true, after: true });
    await expect(
      fetch(`${base}${path}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${s.env.HEROKU_API_KEY}`, "Content-Type": "application/json" },
        body: JSON.stringify({ name: "lost_drop" }),
      }),
    ).rejects.toThrow();
    const list = await api<{ name: string }[]>(base, "GET", path);
    expect(names(list.json)).toEqual(["default", "lost_drop"]);
    expect((await log())[0]).toEqual(expect.objectContaining({ method: "POST", status: 0, handled: 201 }));
  });

  test("a delete answered 500 is done anyway: the retry gets 404", async () => {
    const created = await api<{ name: string }>(base, "POST", `/postgres/v0/databases/${db}/credentials`, {
      body: { name: "lost_delete" },
    });
    expect(created.status).toBe(201);
    await control(base, "POST", "/faults", {
      method: "DELETE",
      path: "/credentials/lost_delete$",
      status: 500,
      after: true,
    });
    const one = `/postgres/v0/databases/${db}/credentials/lost_delete`;
    expect((await api(base, "DELETE", one)).status).toBe(500);
    // Revoking takes the credential machine's time; "immediate" shows it gone on the next read.
    expect((await api(base, "GET", one)).status).toBe(404);
    expect((await api(base, "DELETE", one)).status).toBe(404);
  });

  test("a request the emulator refuses stays refused; the fault only hides the refusal", async () => {
    await control(base, "POST", "/faults", {
      method: "POST",
      path: "^/apps/acme-api/addons$",
      status: 502,
      after: true,
    });
    const r = await api(base, "POST", "/apps/acme-api/addons", { body: { plan: "heroku-postgresql:bogus-0" } });
    expect(r.status).toBe(502);
    expect((await log())[0]).toEqual(expect.objectContaining({ status: 502, handled: 422 }));
  });

  test("after: true with 429 is refused, since a 429 promises nothing was done", async () => {
    await expect(control(base, "POST", "/faults", { path: ".", statuses: [500, 429], after: true })).rejects.toThrow(
      /after: true cannot answer 429/,
    );
    expect(await control(base, "GET", "/faults")).toEqual([]);
  });
});
