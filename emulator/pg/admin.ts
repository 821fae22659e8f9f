import * as crypto from "node:crypto";
import { escapeIdentifier, escapeLiteral, Pool } from "pg";
import type { DatabaseRecord } from "../store/types";
import type { ClusterInfo } from "./cluster";

const LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** Characters drawn uniformly from the alphabet (crypto.randomInt has no modulo bias). */
export function randomFrom(alphabet: string, length: number): string {
  return Array.from({ length }, () => alphabet[crypto.randomInt(alphabet.length)]).join("");
}

/** Heroku-style names: database d…, user u…, and a 65-character alphanumeric password (Dev Center's "Heroku Postgres Credentials" (docs/heroku-api.md)). */
export function newDatabaseRecord(): DatabaseRecord {
  return {
    database: "d" + randomFrom(LOWER_ALNUM, 13),
    user: "u" + randomFrom(LOWER_ALNUM, 13),
    password: randomFrom(ALNUM, 65),
  };
}

/** A quoted SQL identifier (node-postgres' escapeIdentifier); an empty name or a NUL is a bug of the caller. */
export function ident(name: string): string {
  if (name.length === 0 || name.includes("\0")) throw new Error(`not an SQL identifier: ${JSON.stringify(name)}`);
  return escapeIdentifier(name);
}

/** A quoted SQL string literal (node-postgres' escapeLiteral, which also handles backslashes); no NUL. */
export function literal(value: string): string {
  if (value.includes("\0")) throw new Error("an SQL literal cannot hold NUL");
  return escapeLiteral(value);
}

/** Superuser operations on one database's cluster, over TLS like every other connection. */
export class PgAdmin {
  private readonly pool: Pool;

  constructor(readonly cluster: ClusterInfo) {
    this.pool = new Pool({
      host: "127.0.0.1",
      port: cluster.port,
      user: cluster.adminUser,
      password: cluster.adminPassword,
      database: "postgres",
      // Our own server; the cert names localhost, not 127.0.0.1.
      ssl: { rejectUnauthorized: false },
      max: 4,
      // Every database has its own cluster and pool; idle superuser sessions would cost each one a backend.
      idleTimeoutMillis: 2_000,
    });
    this.pool.on("error", () => undefined); // a terminated idle client must not crash the emulator
  }

  /** The superuser's URL for one database of this cluster. */
  urlOf(database: string): string {
    const c = this.cluster;
    return `postgres://${c.adminUser}:${c.adminPassword}@127.0.0.1:${c.port}/${database}?sslmode=require`;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  async query<T extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query<T>(sql, params)).rows;
  }

  /**
   * The default credential owns the database and alone (with superusers) may connect to it. The cluster's own
   * maintenance databases are closed to PUBLIC too, so a credential reaches nothing but its database.
   */
  async createDatabase(db: DatabaseRecord): Promise<void> {
    await this.query(`CREATE ROLE ${ident(db.user)} LOGIN PASSWORD ${literal(db.password)}`);
    await this.query(`CREATE DATABASE ${ident(db.database)} OWNER ${ident(db.user)}`);
    for (const database of [db.database, "postgres", "template1"]) {
      await this.query(`REVOKE ALL ON DATABASE ${ident(database)} FROM PUBLIC`);
    }
    await this.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${ident(db.database)} TO ${ident(db.user)}`);
  }

  /** Used for BYOK: a disabled key makes the database refuse every connection, open ones included. */
  async setAllowConnections(database: string, allow: boolean): Promise<void> {
    await this.query(`ALTER DATABASE ${ident(database)} ALLOW_CONNECTIONS ${allow ? "true" : "false"}`);
    if (!allow) {
      await this.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        [database],
      );
    }
  }

  async databaseStats(database: string): Promise<{ size: string; connections: number }> {
    const rows = await this.query<{ size: string | null; connections: string }>(
      `SELECT pg_size_pretty(pg_database_size(d.oid)) AS size,
              (SELECT count(*) FROM pg_stat_activity a WHERE a.datname = d.datname) AS connections
         FROM pg_database d WHERE d.datname = $1`,
      [database],
    );
    const row = rows[0];
    return { size: row?.size ?? "0 bytes", connections: Number(row?.connections ?? 0) };
  }

  async databaseExists(database: string): Promise<boolean> {
    return (await this.query("SELECT 1 FROM pg_database WHERE datname = $1", [database])).length > 0;
  }

  async roleExists(role: string): Promise<boolean> {
    return (await this.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [role])).length > 0;
  }
}
