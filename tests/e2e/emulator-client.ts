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

/** Heroku API calls that change something, since the log was last cleared. */
export async function mutatingRequests(s: ServicesLike): Promise<LoggedRequest[]> {
  const log = await controlJson<LoggedRequest[]>(s, "GET", "/requests");
  return log.filter((r) => r.method !== "GET" && r.method !== "HEAD");
}
