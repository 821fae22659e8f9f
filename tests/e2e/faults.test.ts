// Faults through the real Pulumi CLI (issue 6): bursts of 429 (with and without Retry-After), 500/502/503 and
// dropped connections on every kind of call the demo stack makes; ambiguous creates; a fault that never stops;
// a status machine that never finishes. Every check lists the emulator's own state (add-ons, the mTLS endpoint,
// certificates, IP rules, credentials) and its request log, never the stack's outputs alone.
import { type Services } from "../support/services";
import { runStack, type StackOptions } from "../support/pulumi";
import {
  addFaults,
  controlJson,
  expectDemoState,
  herokuState,
  type LoggedRequest,
  requestLog,
  startOver,
} from "./emulator-client";
import { demoStack, PROGRAMS, stackOptions, setUpE2e, tearDownE2e } from "./fixture";

jest.setTimeout(15 * 60_000);

let services: Services;
let workDir: string;

/** The provider's HerokuClient: DEFAULT_CLIENT_OPTIONS.maxRetries is 5, so one call makes at most 6 attempts. */
const MAX_ATTEMPTS = 6;
const FAILED = new Set([0, 429, 500, 502, 503]);

interface Fault {
  method?: string;
  path: string;
  status?: number;
  retryAfter?: number;
  drop?: boolean;
  times: number;
}

function demo(stack: string): StackOptions {
  return demoStack({ workDir, env: services.env }, stack, "faults");
}

function mtlsExample(stack: string, config: Record<string, string>): StackOptions {
  return stackOptions(PROGRAMS.mtlsExternalAccess, { workDir, env: services.env }, stack, {
    config,
  });
}

/** For each logged call (method and path), the failed answers it got; none may exceed the client's bound. */
function failuresPerCall(log: LoggedRequest[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of log) {
    if (!FAILED.has(r.status)) continue;
    const key = `${r.method} ${r.path}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

const DB = "/postgres/v0/databases/[^/]+";

beforeAll(async () => ({ services, workDir } = await setUpE2e("faults")));
afterAll(() => tearDownE2e(services, workDir));

describe("faults during pulumi up", () => {
  test("a burst of 429s, 5xx and dropped connections on every kind of call: up completes, nothing twice", async () => {
    await startOver(services);
    // At most three faults per kind of call, so no single call reaches the client's bound of six attempts.
    const burst: Fault[] = [
      // reads, polls and lists, both APIs
      { method: "GET", path: "^/apps/[^/]+$", status: 429, times: 1 },
      { method: "GET", path: "^/apps/[^/]+$", status: 503, times: 1 },
      { method: "GET", path: "^/apps/[^/]+/addons/[^/]+$", status: 429, retryAfter: 1, times: 1 },
      { method: "GET", path: "^/apps/[^/]+/addons/[^/]+$", drop: true, times: 1 },
      { method: "GET", path: "^/apps/[^/]+/addons/[^/]+$", status: 500, times: 1 },
      { method: "GET", path: "^/client/v11/databases/[^/]+$", status: 502, times: 1 },
      { method: "GET", path: "^/client/v11/databases/[^/]+$", drop: true, times: 1 },
      { method: "GET", path: `^${DB}/tls-endpoint$`, status: 503, times: 1 },
      { method: "GET", path: `^${DB}/tls-endpoint$`, status: 429, times: 1 },
      { method: "GET", path: `^${DB}/tls-endpoint/certificates(/[^/]+)?$`, status: 502, times: 1 },
      { method: "GET", path: `^${DB}/tls-endpoint/certificates(/[^/]+)?$`, drop: true, times: 1 },
      { method: "GET", path: `^${DB}/tls-endpoint/ip-rules(/[^/]+)?$`, status: 429, times: 1 },
      { method: "GET", path: `^${DB}/tls-endpoint/ip-rules(/[^/]+)?$`, status: 500, times: 1 },
      { method: "GET", path: `^${DB}/credentials(/[^/]+)?$`, drop: true, times: 1 },
      { method: "GET", path: `^${DB}/credentials(/[^/]+)?$`, status: 503, times: 1 },
      { method: "GET", path: `^${DB}/credentials(/[^/]+)?$`, status: 429, retryAfter: 1, times: 1 },
      // creates: a 429 is refused before any work, so even a POST is repeated
      { method: "POST", path: "^/apps/[^/]+/addons$", status: 429, retryAfter: 1, times: 1 },
      { method: "POST", path: "^/apps/[^/]+/addons$", status: 429, times: 1 },
      { method: "POST", path: `^${DB}/tls-endpoint$`, status: 429, times: 1 },
      { method: "POST", path: `^${DB}/tls-endpoint/certificates$`, status: 429, retryAfter: 1, times: 1 },
      { method: "POST", path: `^${DB}/tls-endpoint/ip-rules$`, status: 429, times: 2 },
      { method: "POST", path: `^${DB}/credentials$`, status: 429, retryAfter: 1, times: 1 },
      { method: "POST", path: `^${DB}/credentials$`, status: 429, times: 1 },
    ];
    await addFaults(services, burst);

    const r = await runStack("up", demo("burst"));
    expect(r.error).toBeUndefined();
    expectDemoState(await herokuState(services, "acme-api"));

    // Every fault fired (so every kind of call above was hit), and each call's failures stayed under the bound.
    expect(await controlJson<Fault[]>(services, "GET", "/faults")).toEqual([]);
    const log = await requestLog(services);
    const injected = burst.reduce((n, f) => n + f.times, 0);
    expect(log.filter((x) => FAILED.has(x.status))).toHaveLength(injected);
    for (const n of failuresPerCall(log).values()) expect(n).toBeLessThan(MAX_ATTEMPTS);
    // One create per declared object: the add-on, mTLS, one more certificate, two rules, two credentials.
    const created = log.filter((x) => x.method === "POST" && x.status === 201).map((x) => x.path.replace(/^.*\//, ""));
    expect(created.filter((p) => p === "addons")).toHaveLength(1);
    expect(created.filter((p) => p === "tls-endpoint")).toHaveLength(1);
    expect(created.filter((p) => p === "ip-rules")).toHaveLength(2);
    expect(created.filter((p) => p === "credentials")).toHaveLength(2);
  });

  test("5xx and dropped connections on the create calls: read back, repeated once, one up converges, nothing twice", async () => {
    await startOver(services);
    // The emulator's faults answer before any work, so each read-back finds nothing and the create is repeated.
    const faults: Fault[] = [
      { method: "POST", path: "^/apps/[^/]+/addons$", drop: true, times: 1 },
      { method: "POST", path: `^${DB}/tls-endpoint$`, status: 503, times: 1 },
      { method: "POST", path: `^${DB}/credentials$`, status: 500, times: 1 },
      { method: "POST", path: `^${DB}/credentials$`, drop: true, times: 1 },
      { method: "POST", path: `^${DB}/tls-endpoint/ip-rules$`, status: 502, times: 1 },
    ];
    await addFaults(services, faults);
    const r = await runStack("up", demo("ambiguous"));
    expect(r.error).toBeUndefined();
    expectDemoState(await herokuState(services, "acme-api"));
    expect(await controlJson<Fault[]>(services, "GET", "/faults")).toEqual([]);
    const log = await requestLog(services);
    const posts = log.filter((x) => x.method === "POST");
    expect(posts.filter((x) => FAILED.has(x.status))).toHaveLength(faults.length);
    // Every POST either failed by a fault or made one object: one repeat per fault, none beyond (the read-back that
    // comes between them is asserted call by call in tests/integration/secure-database-resilience.test.ts and ip-rule.test.ts).
    expect(posts.filter((x) => !FAILED.has(x.status) && x.status !== 201).map((x) => `${x.status} ${x.path}`)).toEqual(
      [],
    );
    // One successful create per declared object: no object was made twice.
    const created = posts.filter((x) => x.status === 201).map((x) => x.path.replace(/^.*\//, ""));
    expect(created.filter((p) => p === "addons")).toHaveLength(1);
    expect(created.filter((p) => p === "tls-endpoint")).toHaveLength(1);
    expect(created.filter((p) => p === "certificates")).toHaveLength(1);
    expect(created.filter((p) => p === "ip-rules")).toHaveLength(2);
    expect(created.filter((p) => p === "credentials")).toHaveLength(2);
  });
});

describe("retry bound", () => {
  test("a 429 that never stops fails up after six attempts with what happened and what to do; the next up converges", async () => {
    await startOver(services);
    await addFaults(services, [
      { method: "POST", path: `^${DB}/credentials$`, status: 429, retryAfter: 1, times: 1000 },
    ]);
    const failed = await runStack("up", demo("bound"));
    expect(failed.error).toMatch(
      /Heroku Data API POST \/postgres\/v0\/databases\/\S+\/credentials still failed after 6 attempts \(last: 429 [^)]*\)\. Heroku is rate limiting this account or is degraded \(https:\/\/status\.heroku\.com\); wait a few minutes and run the command again/,
    );
    const posts = (await requestLog(services)).filter((x) => x.method === "POST" && /\/credentials$/.test(x.path));
    // two credentials, each refused exactly MAX_ATTEMPTS times and then given up
    expect(posts.map((x) => x.status)).toEqual(Array<number>(2 * MAX_ATTEMPTS).fill(429));
    expect((await herokuState(services, "acme-api")).credentials).toEqual(["default"]);

    await controlJson(services, "DELETE", "/faults");
    const r = await runStack("up", demo("bound"));
    expect(r.error).toBeUndefined();
    expectDemoState(await herokuState(services, "acme-api"));
  });
});

describe("a status machine that never finishes", () => {
  test("mTLS stuck in Provisioning: up fails at the timeouts input naming the resource, status and wait", async () => {
    await startOver(services);
    await controlJson(services, "PUT", "/speed", { mtls: { polls: 1_000_000 } });
    const config = { cidrs: "203.0.113.0/24:office", timeouts: JSON.stringify({ create: "10s" }) };
    const started = Date.now();
    await controlJson(services, "DELETE", "/requests");
    const failed = await runStack("up", mtlsExample("stuck", config));
    expect(failed.error).toMatch(
      /creating MtlsConfig on database postgresql-\S+: Timed out after 1\ds waiting for mTLS on database postgresql-\S+ to become Operational: it is still "Provisioning"\. Raise timeouts\.create and run pulumi up again, which resumes it/,
    );
    expect(failed.error).toMatch(/warehouse-mtls/);
    expect(Date.now() - started).toBeLessThan(5 * 60_000);
    // The wait polled with backoff, not in a tight loop (enabling itself may take seconds of the ten).
    const polls = (await requestLog(services)).filter((x) => x.method === "GET" && /\/tls-endpoint$/.test(x.path));
    expect(polls.length).toBeGreaterThanOrEqual(1);
    expect(polls.length).toBeLessThan(15);

    // The next up resumes the endpoint the timed-out one enabled (this account enabled it): no adoptExisting needed.
    await controlJson(services, "PUT", "/speed", { mtls: { ms: 300 } });
    const r = await runStack("up", mtlsExample("stuck", config));
    expect(r.error).toBeUndefined();
    const state = await herokuState(services, "acme-api");
    expect(state.addons).toHaveLength(1);
    expect(state.mtls).toBe("Operational");
    expect(state.certificates).toEqual(["ready", "ready"]);
    expect(state.ipRules).toEqual(["203.0.113.0/24 Authorized"]);
    const again = await runStack("preview", mtlsExample("stuck", config));
    expect(again.error).toBeUndefined();
    expect(again.changeSummary?.create ?? 0).toBe(0);
  });
});
