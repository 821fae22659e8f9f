// Faults through the real Pulumi CLI (issue 6): bursts of 429 (with and without Retry-After), 500/502/503 and
// dropped connections on every kind of call the demo stack makes; ambiguous creates; a fault that never stops;
// a status machine that never finishes. Every check lists the emulator's own state (add-ons, the mTLS endpoint,
// certificates, IP rules, credentials) and its request log, never the stack's outputs alone.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startServices } from "../support/services";
import { runStack, type StackOptions, type StackResult } from "../support/pulumi";
import { controlJson, herokuJson, type LoggedRequest } from "./emulator-client";

jest.setTimeout(15 * 60_000);

type Services = Awaited<ReturnType<typeof startServices>>;
let services: Services;
let workDir: string;

/** The provider's HerokuClient: DEFAULT_CLIENT_OPTIONS.maxRetries is 5, so one call makes at most 6 attempts. */
const MAX_ATTEMPTS = 6;
const FAILED = new Set([0, 429, 500, 502, 503]);

const FAST_SPEEDS = {
  "addon-provision": { ms: 300 },
  "addon-deprovision": { ms: 300 },
  mtls: { ms: 500 },
  certificate: { ms: 300 },
  "ip-rule": { ms: 300 },
  credential: { ms: 300 },
};

interface Fault {
  method?: string;
  path: string;
  status?: number;
  retryAfter?: number;
  drop?: boolean;
  times: number;
}

/** The demo stack (index.ts): a key, the database, mTLS with two certificates, two IP rules, two credentials. */
function demo(stack: string): StackOptions {
  return {
    program: "dist/index.js",
    project: "heroku-pg-secure-demo",
    stack,
    stateDir: path.join(workDir, "state"),
    env: services.env,
    config: { protect: "false", keyAlias: `alias/faults-${stack}` },
  };
}

function mtlsExample(stack: string, config: Record<string, string>): StackOptions {
  return {
    program: "dist/examples/mtls-external-access/index.js",
    project: "mtls-external-access",
    stack,
    stateDir: path.join(workDir, "state"),
    env: services.env,
    config,
  };
}

async function addFaults(faults: Fault[]): Promise<void> {
  for (const f of faults) await controlJson(services, "POST", "/faults", f);
}

async function requestLog(): Promise<LoggedRequest[]> {
  return controlJson<LoggedRequest[]>(services, "GET", "/requests");
}

async function startOver(): Promise<void> {
  await controlJson(services, "POST", "/reset");
  await controlJson(services, "PUT", "/speed", FAST_SPEEDS);
}

interface HerokuState {
  addons: string[];
  mtls: string | undefined;
  certificates: string[];
  ipRules: string[];
  credentials: string[];
}

/** What Heroku (the emulator) holds for the Postgres add-ons of one app, listed through its API. */
async function herokuState(app: string): Promise<HerokuState> {
  const addons = await herokuJson<{ name: string; addon_service: { name: string } }[]>(
    services,
    "GET",
    `/apps/${app}/addons`,
  );
  const pg = addons.filter((a) => a.addon_service.name === "heroku-postgresql").map((a) => a.name);
  const state: HerokuState = { addons: pg, mtls: undefined, certificates: [], ipRules: [], credentials: [] };
  const [db] = pg;
  if (pg.length !== 1 || db === undefined) return state;
  const base = `/postgres/v0/databases/${db}`;
  state.credentials = (await herokuJson<{ name: string }[]>(services, "GET", `${base}/credentials`))
    .map((c) => c.name)
    .sort();
  const endpoint = await herokuJson<{ status: string }>(services, "GET", `${base}/tls-endpoint`).catch(() => undefined);
  if (!endpoint) return state;
  state.mtls = endpoint.status;
  state.certificates = (
    await herokuJson<{ status: string }[]>(services, "GET", `${base}/tls-endpoint/certificates`)
  ).map((c) => c.status);
  state.ipRules = (
    await herokuJson<{ cidr: string; status: string }[]>(services, "GET", `${base}/tls-endpoint/ip-rules`)
  )
    .map((r) => `${r.cidr} ${r.status}`)
    .sort();
  return state;
}

/** Exactly what the demo stack declares, nothing twice. */
function expectDemoState(state: HerokuState): void {
  expect(state.addons).toHaveLength(1);
  expect(state.mtls).toBe("Operational");
  expect(state.certificates).toEqual(["ready", "ready"]);
  expect(state.ipRules).toEqual(["127.0.0.1/32 Authorized", "198.51.100.0/24 Authorized"]);
  expect(state.credentials).toEqual(["analyst", "default", "reporting"]);
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

/** The CLI's `error:` lines of a failed run, without the closing "update failed". */
function errorLines(error: string): string[] {
  return error
    .split("\n")
    .filter((l) => l.startsWith("error: ") && l !== "error: update failed")
    .map((l) => l.slice("error: ".length));
}

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "hps-e2e-faults-"));
  services = await startServices();
});

afterAll(async () => {
  await services?.stop();
  fs.rmSync(workDir, { recursive: true, force: true });
});

describe("faults during pulumi up", () => {
  test("a burst of 429s, 5xx and dropped connections on every kind of call: up completes, nothing twice", async () => {
    await startOver();
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
    await addFaults(burst);

    const r = await runStack("up", demo("burst"));
    expect(r.error).toBeUndefined();
    expectDemoState(await herokuState("acme-api"));

    // Every fault fired (so every kind of call above was hit), and each call's failures stayed under the bound.
    expect(await controlJson<Fault[]>(services, "GET", "/faults")).toEqual([]);
    const log = await requestLog();
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

  test("5xx and dropped connections on the create calls: each up says what to do, the next converges, nothing twice", async () => {
    await startOver();
    // A create that fails ambiguously is read back and never repeated blindly; the emulator's faults answer before
    // any work, so the read-back finds nothing and that resource asks for another `pulumi up`.
    await addFaults([
      { method: "POST", path: "^/apps/[^/]+/addons$", drop: true, times: 1 },
      { method: "POST", path: `^${DB}/tls-endpoint$`, status: 503, times: 1 },
      { method: "POST", path: `^${DB}/credentials$`, status: 500, times: 1 },
      { method: "POST", path: `^${DB}/credentials$`, drop: true, times: 1 },
      { method: "POST", path: `^${DB}/tls-endpoint/ip-rules$`, status: 502, times: 1 },
    ]);
    const errors: string[] = [];
    let last: StackResult | undefined;
    for (let i = 0; i < 6; i++) {
      last = await runStack("up", demo("ambiguous"));
      const state = await herokuState("acme-api");
      expect(state.addons.length).toBeLessThanOrEqual(1);
      expect(state.certificates.length).toBeLessThanOrEqual(2);
      expect(state.ipRules.length).toBeLessThanOrEqual(2);
      expect(state.credentials.length).toBeLessThanOrEqual(3);
      if (!last.error) break;
      // the CLI prints each resource's error twice (as it happens and in the summary)
      errors.push(...new Set(errorLines(last.error)));
    }
    expect(last?.error).toBeUndefined();
    expectDemoState(await herokuState("acme-api"));
    expect(await controlJson<Fault[]>(services, "GET", "/faults")).toEqual([]);
    // One error per ambiguous create (the add-on, mTLS, two credentials, one rule), each saying what to do.
    expect(errors).toHaveLength(5);
    for (const e of errors) {
      expect(e).toMatch(/it is unknown whether it took effect\. .*(none|nothing) was made; run pulumi up again$/);
    }
    const text = errors.join("\n");
    expect(text).toMatch(/Reading back found no new add-on on acme-api, so none was made/);
    expect(text).toMatch(/mTLS is not enabled on postgresql-\S+, so nothing was made/);
    expect(text).toMatch(
      /Reading back found no rule for (127\.0\.0\.1\/32|198\.51\.100\.0\/24) on \S+, so none was made/,
    );
    // Every create that failed was followed by exactly one that worked: no object was made twice.
    const created = (await requestLog())
      .filter((x) => x.method === "POST" && x.status === 201)
      .map((x) => x.path.replace(/^.*\//, ""));
    expect(created.filter((p) => p === "addons")).toHaveLength(1);
    expect(created.filter((p) => p === "tls-endpoint")).toHaveLength(1);
    expect(created.filter((p) => p === "certificates")).toHaveLength(1);
    expect(created.filter((p) => p === "ip-rules")).toHaveLength(2);
    expect(created.filter((p) => p === "credentials")).toHaveLength(2);
  });
});

describe("retry bound", () => {
  test("a 429 that never stops fails up after six attempts with what happened and what to do; the next up converges", async () => {
    await startOver();
    await addFaults([{ method: "POST", path: `^${DB}/credentials$`, status: 429, retryAfter: 1, times: 1000 }]);
    const failed = await runStack("up", demo("bound"));
    expect(failed.error).toMatch(
      /Heroku Data API POST \/postgres\/v0\/databases\/\S+\/credentials still failed after 6 attempts \(last: 429 [^)]*\)\. Heroku is rate limiting this account or is degraded \(https:\/\/status\.heroku\.com\); wait a few minutes and run the command again/,
    );
    const posts = (await requestLog()).filter((x) => x.method === "POST" && /\/credentials$/.test(x.path));
    // two credentials, each refused exactly MAX_ATTEMPTS times and then given up
    expect(posts.map((x) => x.status)).toEqual(Array<number>(2 * MAX_ATTEMPTS).fill(429));
    expect((await herokuState("acme-api")).credentials).toEqual(["default"]);

    await controlJson(services, "DELETE", "/faults");
    const r = await runStack("up", demo("bound"));
    expect(r.error).toBeUndefined();
    expectDemoState(await herokuState("acme-api"));
  });
});

describe("a status machine that never finishes", () => {
  test("mTLS stuck in Provisioning: up fails at the timeouts input naming the resource, status and wait", async () => {
    await startOver();
    await controlJson(services, "PUT", "/speed", { mtls: { polls: 1_000_000 } });
    const config = { cidrs: "203.0.113.0/24:office", timeouts: JSON.stringify({ create: "10s" }) };
    const started = Date.now();
    await controlJson(services, "DELETE", "/requests");
    const failed = await runStack("up", mtlsExample("stuck", config));
    expect(failed.error).toMatch(
      /creating MtlsConfig on database postgresql-\S+: Timed out after 1\ds waiting for mTLS on database postgresql-\S+ to become Operational: it is still "Provisioning"\. Raise timeouts\.create and run pulumi up again with adoptExisting: true/,
    );
    expect(failed.error).toMatch(/warehouse-mtls/);
    expect(Date.now() - started).toBeLessThan(5 * 60_000);
    // The wait polled with backoff, not in a tight loop (enabling itself may take seconds of the ten).
    const polls = (await requestLog()).filter((x) => x.method === "GET" && /\/tls-endpoint$/.test(x.path));
    expect(polls.length).toBeGreaterThanOrEqual(1);
    expect(polls.length).toBeLessThan(15);

    await controlJson(services, "PUT", "/speed", { mtls: { ms: 300 } });
    const r = await runStack("up", mtlsExample("stuck", { ...config, adoptMtls: "true" }));
    expect(r.error).toBeUndefined();
    const state = await herokuState("acme-api");
    expect(state.addons).toHaveLength(1);
    expect(state.mtls).toBe("Operational");
    expect(state.certificates).toEqual(["ready", "ready"]);
    expect(state.ipRules).toEqual(["203.0.113.0/24 Authorized"]);
    const again = await runStack("preview", mtlsExample("stuck", { ...config, adoptMtls: "true" }));
    expect(again.error).toBeUndefined();
    expect(again.changeSummary?.create ?? 0).toBe(0);
  });
});
