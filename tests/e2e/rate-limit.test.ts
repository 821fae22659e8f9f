// The Platform API's rate limit through the real Pulumi CLI (issue 6): with few calls left in the account's
// bucket the provider paces itself and the apply completes without a 429; a 429 storm without Retry-After ends
// at the client's bound with an error that says what happened and what to do. Measured from the emulator's
// request log (the spacing of its timestamps and its statuses), not from how long a run took.
import { DEFAULT_CLIENT_OPTIONS } from "../../provider/heroku/client";
import { RATE_LIMIT_LOW_WATER, REFILL_INTERVAL_MS } from "../../provider/heroku/retry-policy";
import { type Services } from "../support/services";
import { runStack, type StackOptions } from "../support/pulumi";
import { controlJson, herokuJson } from "./emulator-client";
import { stackOptions, PROGRAMS, setUpE2e, tearDownE2e } from "./fixture";

jest.setTimeout(15 * 60_000);

let services: Services;
let workDir: string;

interface TimedRequest {
  method: string;
  path: string;
  status: number;
  at: string;
  receivedAt?: string;
}

const MAX_ATTEMPTS = DEFAULT_CLIENT_OPTIONS.maxRetries + 1;

function byok(stack: string): StackOptions {
  return stackOptions(PROGRAMS.byokDatabase, { workDir, env: services.env }, stack, {
    config: { alias: `alias/rate-${stack}` },
  });
}

async function startOver(): Promise<void> {
  await controlJson(services, "POST", "/reset");
  await controlJson(services, "PUT", "/speed", { "addon-provision": { ms: 300 }, "addon-deprovision": { ms: 300 } });
}

async function requestLog(): Promise<TimedRequest[]> {
  return controlJson<TimedRequest[]>(services, "GET", "/requests");
}

/** Milliseconds between consecutive logged requests. */
function gaps(log: TimedRequest[]): number[] {
  const times = log.map((r) => Date.parse(r.receivedAt ?? r.at)).sort((a, b) => a - b);
  return times.slice(1).map((t, i) => t - times[i]!);
}

async function postgresAddons(): Promise<string[]> {
  const addons = await herokuJson<{ name: string; addon_service: { name: string } }[]>(
    services,
    "GET",
    "/apps/acme-api/addons",
  );
  return addons.filter((a) => a.addon_service.name === "heroku-postgresql").map((a) => a.name);
}

beforeAll(async () => ({ services, workDir } = await setUpE2e("rate")));
afterAll(() => tearDownE2e(services, workDir));

test("with few calls left the apply paces itself (no two calls closer than the refill interval) and meets no 429", async () => {
  // The same apply with a full bucket first: some calls follow each other closely, which pacing must prevent.
  await startOver();
  const fast = await runStack("up", byok("full"));
  expect(fast.error).toBeUndefined();
  const unpaced = gaps(await requestLog());
  expect(Math.min(...unpaced)).toBeLessThan(REFILL_INTERVAL_MS / 2);

  await startOver();
  const remaining = Math.floor(RATE_LIMIT_LOW_WATER / 2);
  await controlJson(services, "PUT", "/rate-limit", { remaining });
  const r = await runStack("up", byok("low"));
  expect(r.error).toBeUndefined();
  const log = await requestLog();
  expect(log.filter((x) => x.status === 429)).toEqual([]);
  expect(await postgresAddons()).toHaveLength(1);
  // Pacing starts once the first answer reports the low bucket. Gaps are between arrivals (receivedAt), which is
  // what the client's pacing controls; half the refill interval leaves room for the network.
  const paced = gaps(log);
  expect(paced.length).toBeGreaterThan(5);
  expect(Math.min(...paced)).toBeGreaterThanOrEqual(REFILL_INTERVAL_MS / 2);
  // The calls came no faster than the bucket refills, so it never emptied.
  const sorted = [...paced].sort((a, b) => a - b);
  expect(sorted[Math.floor(sorted.length / 2)]).toBeGreaterThanOrEqual(REFILL_INTERVAL_MS);
});

test("a 429 storm without Retry-After stops at the bound with what happened and what to do; the next up converges", async () => {
  await startOver();
  await controlJson(services, "POST", "/faults", { method: "GET", path: "^/apps/acme-api$", status: 429, times: 1000 });
  const failed = await runStack("up", byok("storm"));
  expect(failed.error).toMatch(
    new RegExp(
      `Heroku Platform API GET /apps/acme-api still failed after ${MAX_ATTEMPTS} attempts \\(last: 429 Your account reached the API rate limit\\. Please wait a few minutes before making new requests\\.\\)\\. Heroku is rate limiting this account or is degraded \\(https://status\\.heroku\\.com\\); wait a few minutes and run the command again`,
    ),
  );
  // Two calls, each stopped at the bound: check's read of the app (whose rules it then leaves to up) and the
  // create's own read before anything is made.
  const refused = (await requestLog()).filter((x) => x.path === "/apps/acme-api");
  expect(refused.map((x) => x.status)).toEqual(Array<number>(2 * MAX_ATTEMPTS).fill(429));
  // Without Retry-After the client backs off: every repeat of a call waited at least the base delay.
  for (const call of [refused.slice(0, MAX_ATTEMPTS), refused.slice(MAX_ATTEMPTS)]) {
    for (const gap of gaps(call)) expect(gap).toBeGreaterThanOrEqual(DEFAULT_CLIENT_OPTIONS.baseDelayMs - 5);
  }
  expect(await postgresAddons()).toEqual([]);

  await controlJson(services, "DELETE", "/faults");
  const r = await runStack("up", byok("storm"));
  expect(r.error).toBeUndefined();
  expect(await postgresAddons()).toHaveLength(1);
});
