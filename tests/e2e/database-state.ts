// What the emulator really holds for one app's Postgres add-on, read through its own API (as the acme team) and
// from PostgreSQL, so fault tests can assert "nothing twice, nothing left" on the service rather than on the
// stack's outputs.
import { Client } from "pg";
import { libpqUrl } from "../support/pg";
import { controlJson, herokuJson, type LoggedRequest } from "./emulator-client";

interface ServicesLike {
  emulator: { url: string; adminDatabaseUrls(): Record<string, string> };
  env: Record<string, string>;
}

export interface DatabaseState {
  /** Postgres add-ons of the app, by name. */
  addons: string[];
  /** The tls-endpoint's status; undefined when mTLS is off. */
  mtls: string | undefined;
  certificates: { id: string; status: string }[];
  /** `cidr status`, sorted. */
  ipRules: string[];
  /** Credential names, the default one included, sorted. */
  credentials: string[];
  /** `app namespace`, sorted, of the add-on's credential attachments (namespace credential:N). */
  credentialAttachments: string[];
}

export async function databaseState(s: ServicesLike, app: string): Promise<DatabaseState> {
  const addons = await herokuJson<{ name: string; addon_service: { name: string } }[]>(s, "GET", `/apps/${app}/addons`);
  const pg = addons.filter((a) => a.addon_service.name === "heroku-postgresql").map((a) => a.name);
  const state: DatabaseState = {
    addons: pg,
    mtls: undefined,
    certificates: [],
    ipRules: [],
    credentials: [],
    credentialAttachments: [],
  };
  const [db] = pg;
  if (pg.length !== 1 || db === undefined) return state;
  const base = `/postgres/v0/databases/${db}`;
  state.credentials = (await herokuJson<{ name: string }[]>(s, "GET", `${base}/credentials`)).map((c) => c.name).sort();
  state.credentialAttachments = (
    await herokuJson<{ app: { name: string }; namespace: string | null }[]>(s, "GET", `/addons/${db}/addon-attachments`)
  )
    .filter((a) => a.namespace !== null)
    .map((a) => `${a.app.name} ${a.namespace}`)
    .sort();
  const endpoint = await herokuJson<{ status: string }>(s, "GET", `${base}/tls-endpoint`).catch(() => undefined);
  if (!endpoint) return state;
  state.mtls = endpoint.status;
  state.certificates = (
    await herokuJson<{ id: string; status: string }[]>(s, "GET", `${base}/tls-endpoint/certificates`)
  )
    .filter((c) => c.status !== "disabled")
    .map(({ id, status }) => ({ id, status }));
  state.ipRules = (await herokuJson<{ cidr: string; status: string }[]>(s, "GET", `${base}/tls-endpoint/ip-rules`))
    .map((r) => `${r.cidr} ${r.status}`)
    .sort();
  return state;
}

/** Every add-on in the emulator's store, whatever its app or state (GET /__emulator/state, secrets redacted). */
export async function storedAddons(s: ServicesLike): Promise<{ name: string; state: string }[]> {
  const state = await controlJson<{ addons: { name: string; state: string }[] }>(s, "GET", "/state");
  return state.addons.map(({ name, state: st }) => ({ name, state: st }));
}

/**
 * Every PostgreSQL role of every live database (each database has its own cluster), sorted, without duplicates:
 * a credential's role outlives nothing it should.
 */
export async function allRoles(s: ServicesLike): Promise<string[]> {
  const names = new Set<string>();
  for (const url of Object.values(s.emulator.adminDatabaseUrls())) {
    const client = new Client({ connectionString: libpqUrl(url) });
    await client.connect();
    try {
      const rows = await client.query<{ rolname: string }>("select rolname from pg_roles");
      for (const r of rows.rows) names.add(r.rolname);
    } finally {
      await client.end();
    }
  }
  return [...names].sort();
}

/** Roles of any live database whose names start with `prefix`. */
export async function rolesLike(s: ServicesLike, prefix: string): Promise<string[]> {
  return (await allRoles(s)).filter((r) => r.startsWith(prefix));
}

export const requestLog = (s: ServicesLike): Promise<LoggedRequest[]> =>
  controlJson<LoggedRequest[]>(s, "GET", "/requests");

/** Statuses a client sees from an injected fault (0: the connection was dropped). */
export const FAULT_STATUSES = new Set([0, 429, 500, 502, 503]);

/** The kind of object a logged create made: the last path segment (`addons`, `ip-rules`, `credentials`, ...). */
export const createdKind = (r: LoggedRequest): string => r.path.replace(/^.*\//, "");

/** Creates the emulator carried out (answered 201, or handled with 201 and the answer lost), by kind. */
export function createsByKind(log: LoggedRequest[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of log) {
    if (r.method !== "POST" || (r.handled ?? r.status) !== 201) continue;
    const kind = createdKind(r);
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}
