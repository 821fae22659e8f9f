// Direct calls to the emulator from tests: the Heroku APIs as the acme team (for out-of-band changes) and the
// control API (request log, speeds, faults).
import { control } from "../emulator/helpers";

interface ServicesLike {
  emulator: { url: string };
  env: Record<string, string>;
}

export interface LoggedRequest {
  method: string;
  path: string;
  /** What the client got; 0 when a fault dropped the connection. */
  status: number;
  /** Under a lost-answer fault (`after: true`): the status of the reply the emulator made and withheld. */
  handled?: number;
}

async function call<T>(url: string, method: string, headers: Record<string, string>, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: { "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} answered ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export function herokuJson<T = unknown>(s: ServicesLike, method: string, path: string, body?: unknown): Promise<T> {
  const token = s.env.HEROKU_API_KEY ?? "";
  return call<T>(
    `${s.emulator.url}${path}`,
    method,
    {
      Accept: "application/vnd.heroku+json; version=3",
      Authorization: `Bearer ${token}`,
    },
    body,
  );
}

export function controlJson<T = unknown>(s: ServicesLike, method: string, path: string, body?: unknown): Promise<T> {
  return control<T>(s.emulator.url, method, path, body);
}

/** Emulated delays short enough for CI, long enough that waits really wait (PUT /__emulator/speed). */
export const FAST_SPEEDS = {
  "addon-provision": { ms: 300 },
  "addon-deprovision": { ms: 300 },
  mtls: { ms: 500 },
  certificate: { ms: 300 },
  "ip-rule": { ms: 300 },
  credential: { ms: 300 },
};

/** A fresh emulator (the seed's apps, no add-ons) at FAST_SPEEDS. */
export async function startOver(s: ServicesLike): Promise<void> {
  await controlJson(s, "POST", "/reset");
  await controlJson(s, "PUT", "/speed", FAST_SPEEDS);
}

export async function addFaults(s: ServicesLike, faults: readonly object[]): Promise<void> {
  for (const f of faults) await controlJson(s, "POST", "/faults", f);
}

/** Every Heroku API call since the log was last cleared. */
export function requestLog(s: ServicesLike): Promise<LoggedRequest[]> {
  return controlJson<LoggedRequest[]>(s, "GET", "/requests");
}

/** Heroku API calls that change something, since the log was last cleared. */
export async function mutatingRequests(s: ServicesLike): Promise<LoggedRequest[]> {
  const log = await controlJson<LoggedRequest[]>(s, "GET", "/requests");
  return log.filter((r) => r.method !== "GET" && r.method !== "HEAD");
}

export interface HerokuState {
  addons: string[];
  mtls: string | undefined;
  certificates: string[];
  ipRules: string[];
  credentials: string[];
}

/** What Heroku (the emulator) holds for the Postgres add-ons of one app, listed through its API. */
export async function herokuState(services: ServicesLike, app: string): Promise<HerokuState> {
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
export function expectDemoState(state: HerokuState): void {
  expect(state.addons).toHaveLength(1);
  expect(state.mtls).toBe("Operational");
  expect(state.certificates).toEqual(["ready", "ready"]);
  expect(state.ipRules).toEqual(["127.0.0.1/32 Authorized", "198.51.100.0/24 Authorized"]);
  expect(state.credentials).toEqual(["analyst", "default", "reporting"]);
}
