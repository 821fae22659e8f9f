import { Client } from "pg";
import { ident, literal, type PgAdmin } from "../pg/admin";

/**
 * The PostgreSQL side of credentials: each one is a real role (Dev Center's "Heroku Postgres Credentials" (docs/heroku-api.md)) in its database's own cluster
 * (emulator/pg/clusters.ts), so names are per database, as on Heroku.
 */

/** Superuser work inside one add-on's database (REASSIGN OWNED and DROP OWNED act on the current database only). */
async function inDatabase<T>(admin: PgAdmin, database: string, body: (c: Client) => Promise<T>): Promise<T> {
  const c = admin.cluster;
  const client = new Client({
    host: "127.0.0.1",
    port: c.port,
    user: c.adminUser,
    password: c.adminPassword,
    database,
    ssl: { rejectUnauthorized: false },
  });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

/** A new credential: LOGIN with its password and CONNECT on the database, nothing else (Dev Center's "Heroku Postgres Credentials" (docs/heroku-api.md)). */
export async function createCredentialRole(
  admin: PgAdmin,
  database: string,
  user: string,
  password: string,
): Promise<void> {
  await admin.query(`CREATE ROLE ${ident(user)} LOGIN PASSWORD ${literal(password)}`);
  await admin.query(`GRANT CONNECT ON DATABASE ${ident(database)} TO ${ident(user)}`);
}

/**
 * Destroy: what the role owned goes to the default credential, its privileges go (DROP OWNED also revokes the
 * CONNECT on the database), its sessions end, and the role is dropped (Dev Center's "Heroku Postgres Credentials" (docs/heroku-api.md), pg:credentials:destroy).
 */
export async function dropCredentialRole(admin: PgAdmin, database: string, user: string, owner: string): Promise<void> {
  if (!(await admin.roleExists(user))) return;
  await terminateSessions(admin, user);
  if (await admin.databaseExists(database)) {
    await inDatabase(admin, database, async (client) => {
      await client.query(`REASSIGN OWNED BY ${ident(user)} TO ${ident(owner)}`);
      await client.query(`DROP OWNED BY ${ident(user)}`);
    });
  }
  await admin.query(`DROP ROLE IF EXISTS ${ident(user)}`);
}

/** Ends every session of the role; with `before`, only sessions that began before that server time. */
export async function terminateSessions(admin: PgAdmin, user: string, before?: string): Promise<void> {
  await admin.query(
    `SELECT pg_terminate_backend(a.pid) FROM pg_stat_activity a JOIN pg_roles r ON r.oid = a.usesysid
      WHERE r.rolname = $1 AND a.pid <> pg_backend_pid() AND ($2::timestamptz IS NULL OR a.backend_start < $2::timestamptz)`,
    [user, before ?? null],
  );
}

/** Sessions of the role; with `before`/`since`, only those that began before / at or after that server time. */
export async function countSessions(
  admin: PgAdmin,
  user: string,
  window: { before?: string; since?: string } = {},
): Promise<number> {
  const rows = await admin.query<{ n: string }>(
    `SELECT count(*) AS n FROM pg_stat_activity a JOIN pg_roles r ON r.oid = a.usesysid
      WHERE r.rolname = $1
        AND ($2::timestamptz IS NULL OR a.backend_start < $2::timestamptz)
        AND ($3::timestamptz IS NULL OR a.backend_start >= $3::timestamptz)`,
    [user, window.before ?? null, window.since ?? null],
  );
  return Number(rows[0]?.n ?? 0);
}

export async function serverNow(admin: PgAdmin): Promise<string> {
  const rows = await admin.query<{ now: string }>("SELECT clock_timestamp()::text AS now");
  return rows[0]!.now;
}

export async function setPassword(admin: PgAdmin, user: string, password: string): Promise<void> {
  await admin.query(`ALTER ROLE ${ident(user)} PASSWORD ${literal(password)}`);
}

/**
 * Start of a non-forced rotation. The role that holds the credential's privileges and ownerships is renamed to
 * `<name>-rotating` and gets the new password (sessions are bound to the role's oid, so old connections go on);
 * a temporary role under the old name, with the old password and membership in the renamed one, keeps old
 * logins working during the grace period.
 */
export async function beginRotation(
  admin: PgAdmin,
  database: string,
  name: string,
  rotating: string,
  oldPassword: string,
  newPassword: string,
): Promise<void> {
  await admin.query(`ALTER ROLE ${ident(name)} RENAME TO ${ident(rotating)}`);
  await setPassword(admin, rotating, newPassword);
  await admin.query(`CREATE ROLE ${ident(name)} LOGIN PASSWORD ${literal(oldPassword)} IN ROLE ${ident(rotating)}`);
  await admin.query(`GRANT CONNECT ON DATABASE ${ident(database)} TO ${ident(name)}`);
}

/**
 * End of a rotation: old sessions end, the temporary old-name role goes (what it made passes to the real role),
 * and the real role is renamed back. PostgreSQL clears MD5 passwords on rename; this cluster stores SCRAM, which
 * survives, but the password is set again so the outcome does not depend on password_encryption.
 */
export async function finishRotation(
  admin: PgAdmin,
  database: string,
  name: string,
  rotating: string,
  newPassword: string,
  startedAt: string,
): Promise<void> {
  await terminateSessions(admin, name);
  await terminateSessions(admin, rotating, startedAt);
  if (await admin.roleExists(name)) {
    if (await admin.databaseExists(database)) {
      await inDatabase(admin, database, async (client) => {
        await client.query(`REASSIGN OWNED BY ${ident(name)} TO ${ident(rotating)}`);
        await client.query(`DROP OWNED BY ${ident(name)}`);
      });
    }
    await admin.query(`DROP ROLE ${ident(name)}`);
  }
  if (await admin.roleExists(rotating)) {
    await admin.query(`ALTER ROLE ${ident(rotating)} RENAME TO ${ident(name)}`);
    await setPassword(admin, name, newPassword);
  }
}

/**
 * repair-default (Dev Center's "Heroku Postgres Credentials" (docs/heroku-api.md)): the default credential owns every object again and has ADMIN OPTION on every
 * other credential's role.
 */
export async function repairDefault(admin: PgAdmin, database: string, owner: string, others: string[]): Promise<void> {
  await inDatabase(admin, database, async (client) => {
    for (const user of others) {
      await client.query(`REASSIGN OWNED BY ${ident(user)} TO ${ident(owner)}`);
    }
    await client.query(`GRANT ALL ON SCHEMA public TO ${ident(owner)}`);
  });
  for (const user of others) await admin.query(`GRANT ${ident(user)} TO ${ident(owner)} WITH ADMIN OPTION`);
}
