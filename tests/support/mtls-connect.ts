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
  try {
    return (await psql(url, "select current_user", files)) ? "connected" : "no output";
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Runs one query with the `psql` binary and answers its unaligned output (`-At`: rows on lines, columns joined by
 * `|`); fails with psql's error text. Without files, the URL's own sslmode applies (Heroku's `require`); with
 * files, verify-ca with the client certificate when one is given, as an mTLS client connects.
 */
export async function psql(url: string, query: string, files?: ClientFiles): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hps-psql-client-"));
  try {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      PGCONNECT_TIMEOUT: "10",
      // No client files unless given: point libpq at files that do not exist rather than ~/.postgresql.
      PGSSLCERT: path.join(dir, "none.crt"),
      PGSSLKEY: path.join(dir, "none.key"),
    };
    let target = url;
    if (files) {
      env.PGSSLROOTCERT = path.join(dir, "root.crt");
      fs.writeFileSync(env.PGSSLROOTCERT, files.rootChain);
      target = url.replace(/\?.*$/, "") + "?sslmode=verify-ca";
    }
    if (files?.certificateWithChain && files.privateKey) {
      env.PGSSLCERT = path.join(dir, "postgresql.crt");
      env.PGSSLKEY = path.join(dir, "postgresql.key");
      fs.writeFileSync(env.PGSSLCERT, files.certificateWithChain);
      fs.writeFileSync(env.PGSSLKEY, files.privateKey, { mode: 0o600 });
    }
    try {
      const { stdout } = await run("psql", [target, "-At", "-c", query], { env, timeout: 20_000 });
      return stdout.trim();
    } catch (err) {
      throw new Error(String((err as { stderr?: string }).stderr ?? (err as Error).message).trim(), { cause: err });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
