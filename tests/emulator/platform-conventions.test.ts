// Range pagination, the rate-limit bucket, injected faults and the request log.
import * as net from "node:net";
import { startServices, type Services } from "../support/services";
import { api, control, type ApiResponse } from "./helpers";

jest.setTimeout(120_000);
let s: Services;
let base: string;

beforeAll(async () => {
  s = await startServices();
  base = s.emulator.url;
  await control(base, "PUT", "/speed", { "addon-provision": "immediate" });
  // Seven add-ons across two apps give lists long enough to page.
  for (let i = 0; i < 7; i++) {
    const r = await api(base, "POST", `/apps/${i % 2 ? "acme-api" : "acme-reports"}/addons`, {
      body: { plan: "heroku-postgresql:standard-0", name: `pagedb-${i}` },
    });
    expect(r.status).toBe(201);
  }
});
afterAll(async () => s?.stop());
afterEach(async () => {
  await control(base, "DELETE", "/faults");
  await control(base, "PUT", "/rate-limit", { remaining: 4500 });
});

describe("pagination", () => {
  test("max=N pages with 206 and Next-Range until the last page answers 200", async () => {
    const names: string[] = [];
    let range: string | null = "name ..; max=3";
    const statuses: number[] = [];
    while (range) {
      const r: ApiResponse<{ name: string }[]> = await api<{ name: string }[]>(base, "GET", "/addons", {
        headers: { Range: range },
      });
      statuses.push(r.status);
      names.push(...r.json.map((a) => a.name));
      range = r.headers.get("next-range");
      expect(r.headers.get("accept-ranges")).toBe("id, name");
    }
    expect(statuses).toEqual([206, 206, 200]);
    expect(names).toEqual(["pagedb-0", "pagedb-1", "pagedb-2", "pagedb-3", "pagedb-4", "pagedb-5", "pagedb-6"]);
  });

  test("id ranges, order=desc, Content-Range, and a Range on a non-list request is ignored", async () => {
    const all = await api<{ id: string }[]>(base, "GET", "/addons", { headers: { Range: "id ..; max=1000" } });
    expect(all.status).toBe(200);
    const ids = all.json.map((a) => a.id);
    expect(ids).toEqual([...ids].sort());
    const desc = await api<{ id: string }[]>(base, "GET", "/addons", {
      headers: { Range: "id ..; max=2, order=desc" },
    });
    expect(desc.status).toBe(206);
    expect(desc.json.map((a) => a.id)).toEqual([...ids].reverse().slice(0, 2));
    expect(desc.headers.get("content-range")).toBe(`id ${ids[ids.length - 1]}..${ids[ids.length - 2]}`);
    const single = await api(base, "GET", "/apps/acme-api", { headers: { Range: "id ..; max=1000" } });
    expect(single.status).toBe(200);
    const bad = await api<{ id: string }>(base, "GET", "/addons", { headers: { Range: "color ..; max=2" } });
    expect(bad.status).toBe(416);
  });
});

describe("rate limit", () => {
  test("RateLimit-Remaining counts down; an empty bucket answers 429 rate_limit; rate-limits endpoint is free", async () => {
    const a = Number((await api(base, "GET", "/apps")).headers.get("ratelimit-remaining"));
    const b = Number((await api(base, "GET", "/apps")).headers.get("ratelimit-remaining"));
    expect(b).toBe(a - 1);
    await control(base, "PUT", "/rate-limit", { remaining: 1 });
    expect((await api(base, "GET", "/apps")).status).toBe(200);
    const limited = await api<{ id: string }>(base, "GET", "/apps");
    expect(limited.status).toBe(429);
    expect(limited.json.id).toBe("rate_limit");
    expect(limited.headers.get("ratelimit-remaining")).toBe("0");
    const free = await api<{ remaining: number }>(base, "GET", "/account/rate-limits");
    expect(free.status).toBe(200);
    expect(free.json.remaining).toBe(0);
    // 75 tokens a minute: moving the clock a minute refills the bucket enough to continue.
    await control(base, "POST", "/clock", { advanceSeconds: 60 });
    expect((await api(base, "GET", "/apps")).status).toBe(200);
  });
});

describe("faults", () => {
  test("429 with and without Retry-After, limited by times, method and path", async () => {
    await control(base, "POST", "/faults", {
      method: "GET",
      path: "^/apps/acme-api$",
      status: 429,
      retryAfter: 2,
      times: 1,
    });
    await control(base, "POST", "/faults", { path: "^/apps/acme-api$", status: 429, times: 1 });
    expect((await api(base, "POST", "/apps/acme-reports/addons", { body: {} })).status).toBe(422); // path does not match
    const first = await api<{ id: string }>(base, "GET", "/apps/acme-api");
    expect([first.status, first.json.id, first.headers.get("retry-after")]).toEqual([429, "rate_limit", "2"]);
    const second = await api(base, "GET", "/apps/acme-api");
    expect([second.status, second.headers.get("retry-after")]).toEqual([429, null]);
    expect((await api(base, "GET", "/apps/acme-api")).status).toBe(200);
  });

  test("500 internal_server_error on the Data API", async () => {
    await control(base, "POST", "/faults", { path: "^/client/v11/databases/", status: 500, times: 2 });
    for (let i = 0; i < 2; i++) {
      const r = await api<{ id: string }>(base, "GET", "/client/v11/databases/pagedb-1");
      expect([r.status, r.json.id]).toEqual([500, "internal_server_error"]);
    }
    expect((await api(base, "GET", "/client/v11/databases/pagedb-1")).status).toBe(200);
  });

  test("drop closes the connection without an answer", async () => {
    await control(base, "POST", "/faults", { path: "^/apps$", drop: true, times: 1 });
    await expect(fetch(`${base}/apps`, { headers: { Authorization: "Bearer hps-acme-token-0001" } })).rejects.toThrow();
    expect((await api(base, "GET", "/apps")).status).toBe(200);
  });
});

describe("request log", () => {
  test("logs method, path and status of API calls, not control calls; DELETE clears it", async () => {
    await control(base, "DELETE", "/requests");
    await api(base, "GET", "/apps/acme-api");
    await api(base, "GET", "/apps/nope");
    await control(base, "GET", "/state");
    const log = await control<{ method: string; path: string; status: number; at: string }[]>(base, "GET", "/requests");
    expect(log.map(({ method, path, status }) => ({ method, path, status }))).toEqual([
      { method: "GET", path: "/apps/acme-api", status: 200 },
      { method: "GET", path: "/apps/nope", status: 404 },
    ]);
    expect(Date.parse(log[0]!.at)).not.toBeNaN();
  });

  test("the HTTPS endpoint serves the same routes with the emulator CA", async () => {
    const { readFileSync } = await import("node:fs");
    const https = await import("node:https");
    const ca = readFileSync(s.emulator.caCertPath);
    const status = await new Promise<number>((resolve, reject) => {
      const req = https.get(
        `${s.emulator.httpsUrl}/apps/acme-api`,
        { ca, headers: { Authorization: "Bearer hps-acme-token-0001" } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
    });
    expect(status).toBe(200);
    const url = new URL(s.emulator.httpsUrl);
    // 127.0.0.1 is in the certificate too.
    const ipStatus = await new Promise<number>((resolve, reject) => {
      https
        .get(
          {
            host: "127.0.0.1",
            port: url.port,
            path: "/apps",
            ca,
            headers: { Authorization: "Bearer hps-acme-token-0001" },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        )
        .on("error", reject);
    });
    expect(ipStatus).toBe(200);
    expect(net.isIP(url.hostname)).toBe(0);
  });
});
