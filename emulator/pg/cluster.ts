import { execFile } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import type { TlsMaterial } from "../tls/material";

const run = promisify(execFile);
export const PG_BIN = process.env.HPS_PG_BIN ?? "/usr/lib/postgresql/15/bin";
/** The superuser every cluster gets from the template (the emulator's own, Heroku's operators in effect). */
const SUPERUSER = "postgres";

/** PostgreSQL refuses to run as root, so as root every cluster command runs as the postgres system user. */
const asRoot = process.getuid?.() === 0;

/** Runs a command as the user that owns the clusters. */
async function asOwner(file: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  const options = { timeout: 120_000, ...(env ? { env } : {}) };
  // runuser without -l keeps the environment (a password for pg_basebackup travels there, not in argv).
  const { stdout } = asRoot
    ? await run("runuser", ["-u", "postgres", "--", file, ...args], options)
    : await run(file, args, options);
  return stdout;
}

const pgCommand = (bin: string, args: string[]): Promise<string> => asOwner(path.join(PG_BIN, bin), args);

function chownToPostgres(p: string): void {
  if (!asRoot) return;
  const { uid, gid } = postgresIds();
  fs.chownSync(p, uid, gid);
}

let ids: { uid: number; gid: number } | undefined;
function postgresIds(): { uid: number; gid: number } {
  if (!ids) {
    const line = fs
      .readFileSync("/etc/passwd", "utf8")
      .split("\n")
      .find((l) => l.startsWith("postgres:"));
    const parts = line?.split(":");
    if (!parts || parts.length < 4) throw new Error("no postgres system user; install PostgreSQL 15");
    ids = { uid: Number(parts[2]), gid: Number(parts[3]) };
  }
  return ids;
}

export interface ClusterInfo {
  dataDir: string;
  port: number;
  adminUser: string;
  adminPassword: string;
}

export interface AdminSecret {
  user: string;
  password: string;
}

/**
 * Where the clusters live: `template/` is initdb'd once per state dir and copied for every new database (a copy
 * takes about a tenth of initdb's time), `clusters/<database>/` is one database's own cluster. The superuser and
 * its password come with the template, so they are the same in every cluster; they are kept in pg-admin.json.
 */
export function clusterPaths(stateDir: string): { template: string; clusters: string; secretFile: string } {
  return {
    template: path.join(stateDir, "pg-template"),
    clusters: path.join(stateDir, "clusters"),
    secretFile: path.join(stateDir, "pg-admin.json"),
  };
}

/** Refuses, before anything is written, a state dir whose databases all live in one shared cluster (`pg/`). */
export function assertClusterLayout(stateDir: string): void {
  if (fs.existsSync(path.join(stateDir, "pg", "PG_VERSION"))) {
    throw new Error(
      `${stateDir} was made by an emulator that ran one PostgreSQL cluster for every database; delete it to start over`,
    );
  }
}

/** initdb into the template dir when absent; answers the superuser. */
export async function ensureTemplate(stateDir: string): Promise<AdminSecret> {
  const { template, clusters, secretFile } = clusterPaths(stateDir);
  if (asRoot) {
    // postgres must be able to traverse stateDir to reach its data dirs (mkdtemp dirs are 0700).
    fs.chmodSync(stateDir, fs.statSync(stateDir).mode | 0o011);
  }
  // Owned by postgres: the template is copied into it as that user.
  fs.mkdirSync(clusters, { recursive: true, mode: 0o700 });
  chownToPostgres(clusters);
  if (!fs.existsSync(path.join(template, "PG_VERSION"))) {
    fs.rmSync(template, { recursive: true, force: true });
    fs.mkdirSync(template, { mode: 0o700 });
    chownToPostgres(template);
    const password = crypto.randomBytes(24).toString("hex");
    // Outside the data dir (initdb wants it empty), readable by postgres only for the moment initdb runs.
    const pwFile = path.join(stateDir, "pg-initdb.pw");
    fs.writeFileSync(pwFile, password, { mode: 0o600 });
    chownToPostgres(pwFile);
    // 1 MB WAL segments: a fresh cluster holds one segment, so each database's copy is 28 MB instead of 39 MB.
    await pgCommand("initdb", [
      "-D",
      template,
      "-U",
      SUPERUSER,
      "--auth=scram-sha-256",
      `--pwfile=${pwFile}`,
      "-E",
      "UTF8",
      "--wal-segsize=1",
      "--no-instructions",
    ]);
    fs.rmSync(pwFile);
    fs.writeFileSync(secretFile, JSON.stringify({ user: SUPERUSER, password }), { mode: 0o600 });
  }
  return JSON.parse(fs.readFileSync(secretFile, "utf8")) as AdminSecret;
}

/** A new database's cluster: a copy of the template, owned by postgres. */
export async function copyTemplate(stateDir: string, dataDir: string): Promise<void> {
  fs.rmSync(dataDir, { recursive: true, force: true });
  await asOwner("cp", ["-a", clusterPaths(stateDir).template, dataDir]);
}

/** The leader a standby cluster streams from: its cluster's port (new at every start), the superuser, the slot. */
export interface StandbyOf {
  port: number;
  admin: AdminSecret;
  slot: string;
}

/**
 * (Re)writes the TLS files, settings and access rules of a cluster and starts it on 127.0.0.1:port. Connections
 * are TLS-only with scram-sha-256 (Heroku refuses non-TLS connections). With `standby` the cluster starts as a hot
 * standby streaming from that leader (standby.signal; PostgreSQL removes it when the standby is promoted).
 */
export async function startCluster(
  dataDir: string,
  tls: TlsMaterial,
  port: number,
  hbaExtra: string[],
  standby?: StandbyOf,
): Promise<void> {
  writeOwned(path.join(dataDir, "server.crt"), tls.postgres.certPem);
  writeOwned(path.join(dataDir, "server.key"), tls.postgres.keyPem);
  writeOwned(path.join(dataDir, "postgresql.auto.conf"), serverConf(port, standby));
  if (standby) writeOwned(path.join(dataDir, "standby.signal"), "");
  writeHba(dataDir, hbaExtra);
  await stopIfRunning(dataDir);
  await pgCommand("pg_ctl", ["-D", dataDir, "-l", path.join(dataDir, "server.log"), "-w", "-t", "60", "start"]);
}

/**
 * A follower's data dir: a base backup of the leader's running cluster over a replication connection (TLS, the
 * superuser), with the WAL written meanwhile (`-X stream`) and a new physical replication slot on the leader
 * (`-C -S`), which keeps every WAL segment the follower has not received yet, also across emulator restarts.
 */
export async function baseBackup(dataDir: string, leader: StandbyOf): Promise<void> {
  fs.rmSync(dataDir, { recursive: true, force: true });
  const args = ["-h", "127.0.0.1", "-p", String(leader.port), "-U", leader.admin.user, "-D", dataDir];
  args.push("-X", "stream", "-C", "-S", leader.slot, "--checkpoint=fast", "-w");
  await asOwner(path.join(PG_BIN, "pg_basebackup"), args, {
    ...process.env,
    PGPASSWORD: leader.admin.password,
    PGSSLMODE: "require",
  });
}

/**
 * Sized for many small clusters on a 2-core CI machine (one per database; emulator/README.md has the measured
 * memory). max_connections stays above what a stack of 60 credentials opens at once; no logical replication
 * launcher, since nothing here uses logical replication.
 */
function serverConf(port: number, standby?: StandbyOf): string {
  // postgresql.conf strings and libpq conninfo values quote the same way; the conninfo is quoted twice.
  const quoted = (v: string): string => `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  const standbyLines = standby
    ? [
        // Streaming from the leader's own port as its superuser, over TLS, through the slot made with the copy.
        `primary_conninfo = ${quoted(
          [
            "host=127.0.0.1",
            `port=${standby.port}`,
            `user=${quoted(standby.admin.user)}`,
            `password=${quoted(standby.admin.password)}`,
            "sslmode=require",
            "application_name=follower",
          ].join(" "),
        )}`,
        `primary_slot_name = ${quoted(standby.slot)}`,
        "hot_standby = on",
      ]
    : [];
  return [
    "# Written by the emulator at every start.",
    "listen_addresses = '127.0.0.1'",
    `port = ${port}`,
    "unix_socket_directories = ''",
    "ssl = on",
    "ssl_cert_file = 'server.crt'",
    "ssl_key_file = 'server.key'",
    "password_encryption = 'scram-sha-256'",
    "max_connections = 100",
    "shared_buffers = 8MB",
    "max_logical_replication_workers = 0",
    "max_worker_processes = 4",
    "log_connections = off",
    // Followers stream the WAL of their leader (domain/followers.ts): physical replication, a few senders.
    "wal_level = replica",
    "max_wal_senders = 10",
    "max_replication_slots = 10",
    ...standbyLines,
    "",
  ].join("\n");
}

/** hostssl only: a plain TCP connection is refused. Later features (mTLS, IP rules) pass their lines in extra. */
export function writeHba(dataDir: string, extra: string[]): void {
  const lines = [
    "# Written by the emulator. TLS is required for every connection.",
    ...extra,
    "hostssl all all 127.0.0.1/32 scram-sha-256",
    // Replication connections (a follower's base backup and streaming) come from the emulator's superuser only.
    `hostssl replication ${SUPERUSER} 127.0.0.1/32 scram-sha-256`,
    "hostssl all all ::1/128 scram-sha-256",
    "",
  ];
  writeOwned(path.join(dataDir, "pg_hba.conf"), lines.join("\n"));
}

function writeOwned(file: string, content: string): void {
  fs.writeFileSync(file, content, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  chownToPostgres(file);
}

async function stopIfRunning(dataDir: string, mode: "fast" | "immediate" = "fast"): Promise<void> {
  if (!fs.existsSync(path.join(dataDir, "postmaster.pid"))) return;
  try {
    await pgCommand("pg_ctl", ["-D", dataDir, "status"]);
  } catch {
    return; // not running: a stale pid file that pg_ctl start will replace
  }
  await pgCommand("pg_ctl", ["-D", dataDir, "-m", mode, "-w", "stop"]);
}

/** Ends open sessions and writes a checkpoint, so the cluster starts again without recovery. */
export async function stopCluster(dataDir: string): Promise<void> {
  await stopIfRunning(dataDir);
}

/** Ends open sessions at once (as when Heroku deletes a database) and skips the checkpoint: the files go next. */
export async function killCluster(dataDir: string): Promise<void> {
  await stopIfRunning(dataDir, "immediate");
}

/** The version of the installed server ("15.x"), as pg:info shows it. */
export async function serverVersion(): Promise<string> {
  const out = await run(path.join(PG_BIN, "postgres"), ["--version"]);
  // "postgres (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)"
  return /\) (\d+(?:\.\d+)?)/.exec(out.stdout)?.[1] ?? "15";
}
