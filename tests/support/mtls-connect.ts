import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface ClientFiles {
  certificateWithChain?: string;
  privateKey?: string;
  rootChain: string;
}

/**
 * Runs `psql` as an external client would (seed 000, "Connecting to your database from an external resource"):
 * sslmode=verify-ca with the downloaded files. Answers "connected" or psql's error text.
 */
export async function psqlWith(url: string, files: ClientFiles): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hps-mtls-client-"));
  try {
    const root = path.join(dir, "root.crt");
    fs.writeFileSync(root, files.rootChain);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      PGSSLROOTCERT: root,
      PGCONNECT_TIMEOUT: "10",
      // No client files unless given: point libpq at files that do not exist rather than ~/.postgresql.
      PGSSLCERT: path.join(dir, "none.crt"),
      PGSSLKEY: path.join(dir, "none.key"),
    };
    if (files.certificateWithChain && files.privateKey) {
      env.PGSSLCERT = path.join(dir, "postgresql.crt");
      env.PGSSLKEY = path.join(dir, "postgresql.key");
      fs.writeFileSync(env.PGSSLCERT, files.certificateWithChain);
      fs.writeFileSync(env.PGSSLKEY, files.privateKey, { mode: 0o600 });
    }
    const target = url.replace(/\?.*$/, "") + "?sslmode=verify-ca";
    try {
      const { stdout } = await run("psql", [target, "-At", "-c", "select current_user"], { env, timeout: 20_000 });
      return stdout.trim() ? "connected" : "no output";
    } catch (err) {
      return String((err as { stderr?: string }).stderr ?? (err as Error).message).trim();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
