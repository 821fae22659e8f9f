import * as fs from "node:fs";
import { Client } from "pg";
import { getAddonGlobal } from "../heroku/addons";
import { getConfigVars } from "../heroku/apps";
import { getCredential, listAddonAttachments } from "../heroku/credentials";
import { HerokuApiError, nullOnNotFound } from "../heroku/errors";
import { getCertificate, getMtls, listCertificates } from "../heroku/mtls";
import {
  CONNECTION_INFO_FRESH_MS,
  forgetDefaultUrl,
  sharedDefaultUrl,
  sharedIpRules,
  sharedMtls,
} from "../heroku/shared-reads";
import { waitFor, type WaitTuning } from "../heroku/waiter";
import { Coalescer } from "../shared/coalesce";
import type { Deadline } from "../shared/deadline";
import { ProviderError, messageOf } from "../shared/errors";
import { DEFAULT_ACL_OBJECT_TYPES, type GrantFacts } from "./grants";

/** Where and how the provider connects as the default credential. */
export interface DefaultConnection {
  /** The database it was read for, so a failed connection can drop the shared copy. */
  db?: string;
  url: string;
  /** With mTLS on, a client certificate of the database and the server's CA chain (Dev Center's mTLS article (docs/heroku-api.md)). */
  mtls?: { cert: string; key: string; ca: string };
}

/**
 * Permission levels are plain SQL run as the default credential (Dev Center's "Heroku Postgres Credentials" (docs/heroku-api.md), "Managing permissions"), over TLS. The
 * URL is the one Heroku gives the add-on's own attachment (its config var keeps the TLS parameters, such as
 * Enhanced Certificates' verify-full); without one, the Data API's default credential with sslmode=require. When
 * mTLS is Operational the database only accepts clients with one of its certificates, so the provider presents a
 * ready one (the address running pulumi must be allowlisted, like any external client's).
 */
export function defaultConnection(db: string): Promise<DefaultConnection> {
  return connections.get(db, () => readDefaultConnection(db));
}

/**
 * Every credential of a database connects as the same default credential through the same endpoint, and each
 * connects twice (permissions, then outputs): six reads each time without sharing, about 240 for 20 credentials.
 * The material changes only when the default credential rotates or its certificate is revoked, so a connection
 * that fails drops it (withConnection) and the next caller reads it afresh.
 */
const connections = new Coalescer<DefaultConnection>(CONNECTION_INFO_FRESH_MS);

/**
 * The default credential's URL alone (three reads, shared like the connection, and none when the database's
 * SecureDatabase just read it in this run): what a credential's own URL takes its TLS parameters from, when no
 * SQL needs the mTLS material.
 */
export function defaultConnectionUrl(db: string): Promise<string> {
  return sharedDefaultUrl(db, () => defaultCredentialUrl(db));
}

async function readDefaultConnection(db: string): Promise<DefaultConnection> {
  const url = await defaultConnectionUrl(db);
  const mtls = await getMtls(db).catch(nullOnNotFound);
  if (!mtls || mtls.status !== "Operational") return { db, url };
  const ready = (await listCertificates(db)).find((c) => c.status === "ready");
  const full = ready ? await getCertificate(db, ready.id) : undefined;
  if (!full?.certificate_with_chain || !full.private_key) {
    throw new NoReadyCertificateError(
      `database ${db} has mTLS on but no ready client certificate to connect with; add one to its MtlsConfig`,
    );
  }
  return {
    db,
    url,
    mtls: { cert: full.certificate_with_chain, key: full.private_key, ca: mtls.certificate_authority_chain ?? "" },
  };
}

async function defaultCredentialUrl(db: string): Promise<string> {
  const addon = await getAddonGlobal(db);
  const own = (await listAddonAttachments(addon.id)).find((a) => !a.namespace && a.app.name === addon.app.name);
  if (own) {
    const url = (await getConfigVars(addon.app.name))[`${own.name}_URL`];
    if (url) return url;
  }
  const c = await getCredential(addon.id, "default");
  const active = c.credentials.find((u) => u.state === "active") ?? c.credentials[0];
  if (!active) throw new ProviderError(`database ${db} reports no active default credential`);
  return `postgres://${encodeURIComponent(active.user)}:${encodeURIComponent(active.password)}@${c.host}:${c.port}/${c.database}?sslmode=require`;
}

/**
 * Connects as the default credential over TLS and never without verifying who answers, since the session runs
 * GRANT and REVOKE. Three ways, by what the URL and the database offer:
 * - mTLS: the server's certificate must chain to the database's CA chain (as `sslmode=verify-ca`, Dev Center's mTLS article (docs/heroku-api.md));
 *   an empty chain is an error, never "trust the public roots";
 * - `sslmode=verify-full`/`verify-ca` (Enhanced Certificates): the certificate is checked against `sslrootcert`
 *   when that file exists here, else against the system's roots (the URL names a dyno's path, which macOS and
 *   many CI runners lack), with the host name for verify-full;
 * - otherwise (`sslmode=require`, which checks no certificate): SCRAM with channel binding
 *   (`SCRAM-SHA-256-PLUS`), which proves the server holds the password's verifier for this very TLS session, so
 *   no one in between can relay it. A server that does not offer it is refused.
 */
export async function withConnection<T>(conn: DefaultConnection, body: (client: Client) => Promise<T>): Promise<T> {
  let client: Client;
  try {
    client = await connect(conn);
  } catch (err) {
    // The shared copy may be stale (the default credential rotated, a certificate was revoked); connect() has
    // dropped it, so this reads it afresh, once.
    if (conn.db === undefined || err instanceof UnverifiedServerError) throw err;
    client = await connect(await defaultConnection(conn.db));
  }
  try {
    return await body(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The server could not be verified: never retried, whatever the connection material. */
export class UnverifiedServerError extends ProviderError {}

/** The connection itself failed (refused, reset, TLS handshake or login failed): no statement was run. */
export class ConnectionFailedError extends ProviderError {}

/** mTLS is on but no client certificate is ready (the first one may still be pending): nothing to connect with. */
export class NoReadyCertificateError extends ProviderError {}

/**
 * How long connections may keep failing while nothing at the database is about to change (mTLS Operational or
 * off, no IP rule Authorizing) before the failure is final. An allowlist posts its rules a few seconds after mTLS
 * turns Operational (its wait's notice delay, then the posts), and a direct connection to a Private database
 * fails until mTLS is enabled at all: a minute covers both gaps and still reports an address that is not
 * allowlisted within a minute of the allowlist settling, instead of at the end of timeouts.create.
 */
export const CONNECTION_SETTLE_MS = 60_000;

/** Why a connection cannot work yet, or undefined when nothing at Heroku is on its way (two shared reads). */
export async function accessPending(db: string): Promise<string | undefined> {
  const mtls = await sharedMtls(db).catch((err: unknown) => {
    // A transient 500 while provisioning (docs/heroku-api.md 1.1) means "still Provisioning".
    if (err instanceof HerokuApiError && err.status >= 500) return { status: "Provisioning" };
    throw err;
  });
  if (!mtls) return undefined;
  if (mtls.status !== "Operational") return `mTLS ${mtls.status}`;
  const authorizing = (await sharedIpRules(db)).filter((r) => r.status !== "Authorized");
  if (authorizing.length === 0) return undefined;
  return `IP rule${authorizing.length === 1 ? "" : "s"} ${authorizing.map((r) => `${r.cidr} ${r.status}`).join(", ")}`;
}

export interface UsableConnectionOptions {
  /** The operation's deadline: without one, a single attempt (refresh must not wait). */
  deadline?: Deadline;
}

/**
 * Runs `body` over a verified connection as the default credential, once the database can be reached: a
 * credential is made at Heroku as soon as its database exists, and only its SQL waits here (whenReachable).
 */
export async function withUsableConnection<T>(
  db: string,
  body: (client: Client, conn: DefaultConnection) => Promise<T>,
  options: UsableConnectionOptions = {},
): Promise<T> {
  const attempt = async (): Promise<T> => {
    const conn = await defaultConnection(db);
    return withConnection(conn, (client) => body(client, conn));
  };
  if (!options.deadline) return attempt();
  return whenReachable(`database ${db}`, attempt, () => accessPending(db), options.deadline.bounds());
}

/**
 * Tries `attempt` whenever nothing at Heroku is pending (`pending` answers why not, from shared reads: nothing is
 * read while a connection works at once), on the waiter's schedule. A failure of the server's verification or of
 * a statement is never retried; a refused connection (or no ready certificate yet) is, until it has failed for
 * CONNECTION_SETTLE_MS with nothing pending, or the deadline.
 */
export async function whenReachable<T>(
  what: string,
  attempt: () => Promise<T>,
  pending: () => Promise<string | undefined>,
  bounds: { timeoutMs: number; startedAt?: number },
  tuning: Partial<WaitTuning> = {},
): Promise<T> {
  const now = tuning.now ?? (() => Date.now());
  let failingSince: number | undefined;
  type Round = { done: true; value: T } | { done: false; status: string };
  const result = await waitFor<Round>(
    {
      what: `a connection to ${what} as the default credential`,
      target: "possible",
      ...bounds,
      poll: async () => {
        const why = await pending();
        if (why !== undefined) {
          failingSince = undefined;
          return { done: false, status: why };
        }
        try {
          return { done: true, value: await attempt() };
        } catch (err) {
          if (!(err instanceof ConnectionFailedError || err instanceof NoReadyCertificateError)) throw err;
          failingSince ??= now();
          if (now() - failingSince >= CONNECTION_SETTLE_MS) throw err;
          return { done: false, status: err.message };
        }
      },
      statusOf: (r) => (r.done ? "connected" : r.status),
      isDone: (r) => r.done,
      hint:
        "The credential was made; its permission level was not applied. Check that the address running pulumi is " +
        "allowlisted, raise timeouts.create, and run pulumi up again.",
    },
    tuning,
  );
  return (result as { done: true; value: T }).value;
}

/** How one connection verifies the server; see withConnection. */
export type Verification = "mtls-ca" | "certificate" | "channel-binding";

/** The plan for one connection, a pure function of its material (tested from a table). */
export function connectionPlan(conn: DefaultConnection): {
  verification: Verification;
  sslmode: string;
  rootCertPath?: string;
} {
  const parsed = new URL(conn.url);
  const sslmode = parsed.searchParams.get("sslmode") ?? "require";
  if (conn.mtls) {
    if (conn.mtls.ca.trim() === "") {
      throw new UnverifiedServerError(
        `database ${conn.db ?? parsed.hostname} has mTLS on but Heroku gave no server CA chain (certificate_authority_chain), so the server cannot be verified; nothing was run`,
      );
    }
    return { verification: "mtls-ca", sslmode };
  }
  if (sslmode === "verify-full" || sslmode === "verify-ca") {
    const root = parsed.searchParams.get("sslrootcert") ?? undefined;
    return { verification: "certificate", sslmode, ...(root ? { rootCertPath: root } : {}) };
  }
  return { verification: "channel-binding", sslmode };
}

async function connect(conn: DefaultConnection): Promise<Client> {
  const parsed = new URL(conn.url);
  const plan = connectionPlan(conn);
  const base = {
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    host: parsed.hostname,
    port: Number(parsed.port || 5432),
    database: decodeURIComponent(parsed.pathname.replace(/^\//, "")),
    connectionTimeoutMillis: 15_000,
  };
  const client = new Client({
    ...base,
    ssl:
      plan.verification === "mtls-ca"
        ? { ...conn.mtls, rejectUnauthorized: true, checkServerIdentity: () => undefined }
        : plan.verification === "certificate"
          ? {
              rejectUnauthorized: true,
              ...rootCertificates(plan.rootCertPath),
              ...(plan.sslmode === "verify-ca" ? { checkServerIdentity: () => undefined } : {}),
            }
          : { rejectUnauthorized: false },
    enableChannelBinding: plan.verification === "channel-binding",
  });
  client.on("error", () => undefined);
  let offered: string[] | undefined;
  const connection = (client as unknown as { connection?: NodeJS.EventEmitter }).connection;
  connection?.on("authenticationSASL", (msg: { mechanisms?: string[] }) => {
    offered = msg.mechanisms;
  });
  try {
    await client.connect();
  } catch (err) {
    if (conn.db !== undefined) {
      connections.forget(conn.db);
      forgetDefaultUrl(conn.db);
    }
    throw new ConnectionFailedError(
      `could not connect to ${parsed.hostname}:${parsed.port} as the default credential${conn.mtls ? " over mTLS (is the address running pulumi allowlisted?)" : ""}: ${messageOf(err)}`,
    );
  }
  if (plan.verification === "channel-binding" && !offered?.includes(CHANNEL_BINDING_MECHANISM)) {
    await client.end().catch(() => undefined);
    throw new UnverifiedServerError(
      `${parsed.hostname}:${parsed.port} did not offer ${CHANNEL_BINDING_MECHANISM} and its URL (sslmode=${plan.sslmode}) asks for no certificate check, so the server could not be verified; no statement was run`,
    );
  }
  return client;
}

/** SCRAM with tls-server-end-point channel binding (PostgreSQL 11 and later over TLS). */
export const CHANNEL_BINDING_MECHANISM = "SCRAM-SHA-256-PLUS";

/** The CA file the URL names when it exists here; otherwise Node's roots (the system's, plus NODE_EXTRA_CA_CERTS). */
function rootCertificates(path: string | undefined): { ca?: string } {
  if (!path) return {};
  try {
    return { ca: fs.readFileSync(path, "utf8") };
  } catch {
    return {};
  }
}

export function userOf(url: string): string {
  return decodeURIComponent(new URL(url).username);
}

/**
 * Runs the statements in one transaction, so a failure leaves the old grants in place. Credentials of one database
 * are applied in parallel by Pulumi and their GRANTs rewrite the same catalog rows (the schema's ACL, the owner's
 * default ACL), which PostgreSQL refuses with "tuple concurrently updated"; a transaction-scoped advisory lock
 * makes them take turns.
 */
export async function runStatements(client: Client, statements: readonly string[]): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('heroku-pg-secure:permission-levels'))");
    for (const sql of statements) await client.query(sql);
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

const RELATION_KINDS = ["r", "v", "m", "f", "p"];

/** Every schema a user can have privileges in: all but PostgreSQL's own (pg_catalog, pg_toast ...). */
export async function listUserSchemas(client: Client): Promise<string[]> {
  const rows = await client.query<{ name: string }>(
    `SELECT nspname AS name FROM pg_namespace
      WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY nspname`,
  );
  return rows.rows.map((r) => r.name);
}

/** What the role holds in the schemas, as grants.ts's GrantFacts (privileges granted to the role itself). */
export async function readGrantFacts(
  client: Client,
  role: string,
  owner: string,
  schemas: readonly string[],
): Promise<GrantFacts> {
  const q = async <R extends Record<string, unknown>>(sql: string, params: unknown[]): Promise<R[]> =>
    (await client.query<R>(sql, params)).rows;
  const roleOid = `(SELECT oid FROM pg_roles WHERE rolname = $1)`;
  const schemaPrivileges = await q<{ schema: string; privilege: string }>(
    `SELECT n.nspname AS schema, a.privilege_type AS privilege
       FROM pg_namespace n, aclexplode(n.nspacl) a
      WHERE n.nspname = ANY($2) AND a.grantee = ${roleOid}`,
    [role, schemas],
  );
  const relations = async (kinds: string[]) => ({
    all: await q<{ schema: string; name: string }>(
      `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ANY($1) AND c.relkind = ANY($2)`,
      [schemas, kinds],
    ),
    privileges: await q<{ schema: string; name: string; privilege: string }>(
      `SELECT n.nspname AS schema, c.relname AS name, a.privilege_type AS privilege
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a
        WHERE n.nspname = ANY($2) AND c.relkind = ANY($3) AND a.grantee = ${roleOid}`,
      [role, schemas, kinds],
    ),
  });
  const tables = await relations(RELATION_KINDS);
  const sequences = await relations(["S"]);
  const defaults = await q<{ schema: string; objtype: string; privilege: string }>(
    `SELECT n.nspname AS schema, d.defaclobjtype::text AS objtype, a.privilege_type AS privilege
       FROM pg_default_acl d JOIN pg_namespace n ON n.oid = d.defaclnamespace, aclexplode(d.defaclacl) a
      WHERE n.nspname = ANY($2) AND a.grantee = ${roleOid}
        AND d.defaclrole = (SELECT oid FROM pg_roles WHERE rolname = $3)`,
    [role, schemas, owner],
  );
  return {
    schemaPrivileges,
    tables: tables.all,
    tablePrivileges: tables.privileges,
    sequences: sequences.all,
    sequencePrivileges: sequences.privileges,
    defaultPrivileges: defaults.flatMap((d) => {
      const objectType = DEFAULT_ACL_OBJECT_TYPES[d.objtype];
      return objectType ? [{ schema: d.schema, objectType, privilege: d.privilege }] : [];
    }),
  };
}
