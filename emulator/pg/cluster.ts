import { execFile } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import type { TlsMaterial } from "../tls/material";

const run = promisify(execFile);
export const PG_BIN = process.env.HPS_PG_BIN ?? "/usr/lib/postgresql/15/bin";

/** PostgreSQL refuses to run as root, so as root every cluster command runs as the postgres system user. */
const asRoot = process.getuid?.() === 0;

async function pgCommand(bin: string, args: string[]): Promise<string> {
  const file = path.join(PG_BIN, bin);
  const { stdout } = asRoot
    ? await run("runuser", ["-u", "postgres", "--", file, ...args], { timeout: 120_000 })
    : await run(file, args, { timeout: 120_000 });
  return stdout;
}

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

/** The superuser password is made once at initdb and kept next to state.json (owner-only). */
function adminSecretFile(stateDir: string): string {
  return path.join(stateDir, "pg-admin.json");
}

/**
 * initdb into stateDir/pg when absent, then (re)write the TLS files and access rules and start the server on
 * 127.0.0.1:port. Connections are TLS-only with scram-sha-256 (Heroku refuses non-TLS connections).
 */
export async function startCluster(
  stateDir: string,
  tls: TlsMaterial,
  port: number,
  hbaExtra: string[],
): Promise<ClusterInfo> {
  const dataDir = path.join(stateDir, "pg");
  if (asRoot) {
    // postgres must be able to traverse stateDir to reach its data dir (mkdtemp dirs are 0700).
    fs.chmodSync(stateDir, fs.statSync(stateDir).mode | 0o011);
  }
  const secretFile = adminSecretFile(stateDir);
  if (!fs.existsSync(path.join(dataDir, "PG_VERSION"))) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.mkdirSync(dataDir, { mode: 0o700 });
    chownToPostgres(dataDir);
    const password = crypto.randomBytes(24).toString("hex");
    // Outside the data dir (initdb wants it empty), readable by postgres only for the moment initdb runs.
    const pwFile = path.join(stateDir, "pg-initdb.pw");
    fs.writeFileSync(pwFile, password, { mode: 0o600 });
    chownToPostgres(pwFile);
    await pgCommand("initdb", [
      "-D",
      dataDir,
      "-U",
      "postgres",
      "--auth=scram-sha-256",
      `--pwfile=${pwFile}`,
      "-E",
      "UTF8",
      "--no-instructions",
    ]);
    fs.rmSync(pwFile);
    fs.writeFileSync(secretFile, JSON.stringify({ user: "postgres", password }), { mode: 0o600 });
  }
  const secret = JSON.parse(fs.readFileSync(secretFile, "utf8")) as { user: string; password: string };

  writeOwned(path.join(dataDir, "server.crt"), tls.postgres.certPem);
  writeOwned(path.join(dataDir, "server.key"), tls.postgres.keyPem);
  writeOwned(path.join(dataDir, "postgresql.auto.conf"), serverConf(port));
  writeHba(dataDir, hbaExtra);

  await stopIfRunning(dataDir);
  await pgCommand("pg_ctl", ["-D", dataDir, "-l", path.join(dataDir, "server.log"), "-w", "-t", "60", "start"]);
  return { dataDir, port, adminUser: secret.user, adminPassword: secret.password };
}

function serverConf(port: number): string {
  return [
    "# Written by the emulator at every start.",
    "listen_addresses = '127.0.0.1'",
    `port = ${port}`,
    "unix_socket_directories = ''",
    "ssl = on",
    "ssl_cert_file = 'server.crt'",
    "ssl_key_file = 'server.key'",
    "password_encryption = 'scram-sha-256'",
    "max_connections = 200",
    "log_connections = off",
    "",
  ].join("\n");
}

/** hostssl only: a plain TCP connection is refused. Later features (mTLS, IP rules) pass their lines in hbaExtra. */
export function writeHba(dataDir: string, extra: string[]): void {
  const lines = [
    "# Written by the emulator. TLS is required for every connection.",
    ...extra,
    "hostssl all all 127.0.0.1/32 scram-sha-256",
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

async function stopIfRunning(dataDir: string): Promise<void> {
  if (!fs.existsSync(path.join(dataDir, "postmaster.pid"))) return;
  try {
    await pgCommand("pg_ctl", ["-D", dataDir, "status"]);
  } catch {
    return; // not running: a stale pid file that pg_ctl start will replace
  }
  await pgCommand("pg_ctl", ["-D", dataDir, "-m", "fast", "-w", "stop"]);
}

export async function stopCluster(dataDir: string): Promise<void> {
  await stopIfRunning(dataDir);
}
