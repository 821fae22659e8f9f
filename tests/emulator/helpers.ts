import { Client } from "pg";
import { ACME_TOKEN, startServices, type Services } from "../support/services";

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  json: T;
}

export interface CallOptions {
  token?: string | null;
  auth?: "bearer" | "basic";
  body?: unknown;
  headers?: Record<string, string>;
  /** Send a GET again when its connection is reset before an answer (never for tests of dropped connections). */
  retryResets?: boolean;
}

/** A raw call to the emulator as a Heroku client would make it (Bearer by default, the acme token). */
export async function api<T = unknown>(
  base: string,
  method: string,
  path: string,
  opts: CallOptions = {},
): Promise<ApiResponse<T>> {
  const token = opts.token === undefined ? ACME_TOKEN : opts.token;
  const headers: Record<string, string> = { Accept: "application/vnd.heroku+json; version=3", ...opts.headers };
  if (token !== null) {
    headers.Authorization =
      opts.auth === "basic" ? `Basic ${Buffer.from(`:${token}`).toString("base64")}` : `Bearer ${token}`;
  }
  if (opts.body !== undefined) headers["Content-Type"] = "application/json";
  const init = { method, headers, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) };
  const res =
    method === "GET" && opts.retryResets
      ? await fetchRetryingResets(`${base}${path}`, init)
      : await fetch(`${base}${path}`, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined; // HTML bodies (the Data API's 404) stay in `text`
  }
  return { status: res.status, headers: res.headers, text, json: json as T };
}

/**
 * A GET that is sent again when the connection is reset before an answer, as Heroku's own clients do for network
 * errors (the CLI's http-call retries them): a kept-alive connection the server closes just as a request reuses it
 * is a property of HTTP/1.1, not of the emulator, and shows on loaded machines.
 */
async function fetchRetryingResets(url: string, init: RequestInit, attempts = 3): Promise<Response> {
  for (let i = 1; ; i++) {
    try {
      return await fetch(url, init);
    } catch (err) {
      const code = ((err as { cause?: { code?: string } }).cause ?? {}).code;
      if (i >= attempts || (code !== "ECONNRESET" && code !== "UND_ERR_SOCKET")) throw err;
    }
  }
}

export async function control<T = unknown>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}/__emulator${path}`, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} /__emulator${path} answered ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Polls `read` until `done` holds (no fixed sleeps); fails with the last value after `timeoutMs`. */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; last value ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface AddonJson {
  id: string;
  name: string;
  state: string;
  config_vars: string[];
  provision_message: string | null;
  plan: { id: string; name: string };
  app: { id: string; name: string };
}

export interface InfoJson {
  addon_id: string;
  name: string;
  info: { name: string; values: string[] }[];
}

export const row = (info: InfoJson, name: string): string[] | undefined =>
  info.info.find((r) => r.name === name)?.values;

/** Creates a Postgres add-on and waits until it is provisioned; returns it with the app's config vars. */
export async function provisioned(
  base: string,
  app: string,
  body: Record<string, unknown>,
): Promise<{ addon: AddonJson; vars: Record<string, string> }> {
  const created = await api<AddonJson>(base, "POST", `/apps/${app}/addons`, { body });
  if (created.status !== 201) throw new Error(`create answered ${created.status}: ${created.text}`);
  const addon = await pollUntil(
    async () => (await api<AddonJson>(base, "GET", `/apps/${app}/addons/${created.json.id}`)).json,
    (a) => a.state !== "provisioning",
  );
  const vars = (await api<Record<string, string>>(base, "GET", `/apps/${app}/config-vars`)).json;
  return { addon, vars };
}

import { libpqUrl } from "../support/pg";

export const libpq = libpqUrl;

export async function whoAmI(url: string): Promise<{ user: string; ssl: boolean; db: string }> {
  const client = new Client({ connectionString: libpq(url), connectionTimeoutMillis: 5000 });
  client.on("error", () => undefined);
  await client.connect();
  try {
    const r = await client.query<{ user: string; ssl: boolean; db: string }>(
      "select current_user as user, ssl, current_database() as db from pg_stat_ssl where pid = pg_backend_pid()",
    );
    return r.rows[0]!;
  } finally {
    await client.end();
  }
}

/** Runs one statement on a database URL (a config var or an admin URL) and answers its rows. */
export async function sql<T extends Record<string, unknown> = Record<string, unknown>>(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new Client({ connectionString: libpq(url), connectionTimeoutMillis: 5000 });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** moto and a fresh emulator for one test file, and the emulator's address. */
export async function startLocalServices(): Promise<{ services: Services; base: string }> {
  const services = await startServices();
  return { services, base: services.emulator.url };
}
