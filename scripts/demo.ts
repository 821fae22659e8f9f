// The README's main command: starts the local Heroku emulator and moto, runs `pulumi up` on the root stack
// (index.ts) with the real Pulumi CLI, prints its outputs with secrets masked, and proves the posture against the
// real PostgreSQL server behind the emulator. Exits non-zero when any proof fails.
//   node dist/scripts/demo.js            up + proofs (services keep running so you can look around)
//   node dist/scripts/demo.js destroy    lift protection, pulumi destroy, then stop the services
import * as fs from "node:fs";
import * as path from "node:path";
import { Client } from "pg";
import { runStack, type StackOptions } from "../tests/support/pulumi";
import { serviceEnv, startServices, stopServices, type ServicesFile } from "./services";

const repoRoot = path.resolve(__dirname, "..", "..");
const demoDir = path.join(repoRoot, ".run", "demo");
const certDir = path.join(demoDir, "certs");

function stackOptions(env: Record<string, string>, config: Record<string, string> = {}): StackOptions {
  return {
    program: path.join("dist", "index.js"),
    project: "heroku-pg-secure-demo",
    stack: "demo",
    stateDir: path.join(demoDir, "pulumi"),
    env,
    config: { certDir, ...config },
  };
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** postgres://user:password@host/db -> postgres://user:****@host/db, for printing. */
export function maskUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]+@/, "$1****@");
}

async function prove(name: string, fn: () => Promise<string>): Promise<boolean> {
  try {
    say(`  ok   ${name}: ${await fn()}`);
    return true;
  } catch (err) {
    say(`  FAIL ${name}: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
}

interface CertFiles {
  certificate: string;
  key: string;
  root: string;
}

/**
 * A client the way Dev Center's mTLS article (docs/heroku-api.md) tells users to connect: the credential's URL with sslmode=verify-ca, the downloaded
 * client certificate and key, and the server's root chain. `withCertificate: false` leaves the client files out.
 */
async function query(url: string, files: CertFiles, sql: string, withCertificate = true): Promise<unknown[]> {
  const u = new URL(url);
  const client = new Client({
    host: u.hostname,
    port: Number(u.port),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: u.pathname.slice(1),
    connectionTimeoutMillis: 10_000,
    ssl: {
      ca: fs.readFileSync(files.root, "utf8"),
      ...(withCertificate
        ? { cert: fs.readFileSync(files.certificate, "utf8"), key: fs.readFileSync(files.key, "utf8") }
        : {}),
      rejectUnauthorized: true,
      checkServerIdentity: () => undefined, // verify-ca: the chain, not the host name
    },
  });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

async function refused(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (err) {
    return `refused (${err instanceof Error ? err.message : String(err)})`;
  }
  throw new Error("it was allowed");
}

async function heroku<T>(s: ServicesFile, env: Record<string, string>, apiPath: string): Promise<T> {
  const res = await fetch(`${s.url}${apiPath}`, {
    headers: { Authorization: `Bearer ${env.HEROKU_API_KEY}`, Accept: "application/vnd.heroku+json; version=3" },
  });
  if (!res.ok) throw new Error(`GET ${apiPath} answered ${res.status}`);
  return (await res.json()) as T;
}

/** Writes a secret for the user to pick up, readable only by its owner (never printed). */
function secretFile(name: string, value: string): string {
  const file = path.join(demoDir, name);
  fs.writeFileSync(file, `${value}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return path.relative(process.cwd(), file);
}

async function up(): Promise<number> {
  say("starting the Heroku emulator (with a PostgreSQL cluster per database) and moto (AWS KMS) ...");
  const services = await startServices(demoDir);
  const env = serviceEnv(services);
  say(`  emulator: ${services.httpsUrl}   moto: ${services.motoEndpoint}`);
  say("pulumi up (real Pulumi CLI, file backend in .run/demo/pulumi) ...");
  const result = await runStack("up", stackOptions(env, { protect: "true" }));
  if (result.error) {
    say(result.log);
    say(`pulumi up failed: ${result.error}`);
    return 1;
  }
  say(`  changes: ${JSON.stringify(result.summary)}`);
  say("outputs (secrets masked):");
  for (const [k, v] of Object.entries(result.outputs ?? {})) say(`  ${k}: ${JSON.stringify(v)}`);

  // The proofs need the real URLs; they are read from the stack, used, and never printed.
  const secret = (await runStack("outputs", { ...stackOptions(env), showSecrets: true })).outputs ?? {};
  const analystUrl = String(secret.analystUrl ?? "");
  const reportingUrl = String(secret.reportingUrl ?? "");
  const files = secret.certificateFiles as CertFiles;
  const addonName = String(secret.addonName ?? "");
  // The owner's URL, as `heroku config:get DATABASE_URL -a acme-api` gives it.
  const ownerUrl =
    (await heroku<Record<string, string>>(services, env, "/apps/acme-api/config-vars")).DATABASE_URL ?? "";

  say("proofs:");
  const results = [
    await prove("the owner creates a table over mTLS with the bi-tool certificate", async () => {
      await query(ownerUrl, files, "create table if not exists orders (id serial primary key, total numeric)");
      await query(ownerUrl, files, "insert into orders (total) values (42)");
      return "orders(id, total) with one row";
    }),
    await prove("the read-only analyst reads it over mTLS", async () => {
      const rows = (await query(analystUrl, files, "select current_user as who, count(*)::int as n from orders")) as {
        who: string;
        n: number;
      }[];
      return `${rows[0]?.who} sees ${rows[0]?.n} row(s) (${maskUrl(analystUrl)})`;
    }),
    await prove("the read-only analyst cannot write", () =>
      refused(() => query(analystUrl, files, "insert into orders (total) values (1)")),
    ),
    await prove("the read-write reporting credential can write", async () => {
      await query(reportingUrl, files, "insert into orders (total) values (7)");
      return "inserted a row";
    }),
    await prove("a client without a certificate is refused", () =>
      refused(() => query(analystUrl, files, "select 1", false)),
    ),
    await prove("Heroku reports the database encrypted with the stack's key", async () => {
      const info = await heroku<{ info: { name: string; values: string[] }[] }>(
        services,
        env,
        `/client/v11/databases/${addonName}`,
      );
      const row = info.info.find((r) => r.name === "Customer Encryption Key");
      if (row?.values[0] !== secret.keyArn) throw new Error(`info row is ${JSON.stringify(row)}`);
      return `"Customer Encryption Key" = ${String(secret.keyArn)}`;
    }),
  ];

  const urlFile = secretFile("analyst-url", analystUrl);
  say("");
  say("Try it yourself as the analyst (the URL file is mode 0600; the key too):");
  say(
    `  PGSSLCERT=${path.relative(process.cwd(), files.certificate)} PGSSLKEY=${path.relative(process.cwd(), files.key)} ` +
      `PGSSLROOTCERT=${path.relative(process.cwd(), files.root)} psql "$(cat ${urlFile})" -c 'select * from orders'`,
  );
  say("The emulator and moto keep running. Tear everything down with: bash scripts/demo.sh destroy");
  return results.every(Boolean) ? 0 : 1;
}

async function destroy(): Promise<number> {
  const services = await startServices(demoDir);
  const env = serviceEnv(services);
  // The database and the key are protected; lifting that is a reviewed change of its own.
  say("pulumi up with protect=false (the database and the key are protected by default) ...");
  const unprotect = await runStack("up", stackOptions(env, { protect: "false" }));
  if (unprotect.error) {
    say(unprotect.log);
    say(`pulumi up failed: ${unprotect.error}`);
    return 1;
  }
  const result = await runStack("destroy", stackOptions(env));
  if (result.error) {
    say(result.log);
    say(`pulumi destroy failed: ${result.error}`);
    return 1;
  }
  say(`destroyed: ${JSON.stringify(result.summary)}`);
  await stopServices(demoDir);
  fs.rmSync(path.join(demoDir, "analyst-url"), { force: true });
  fs.rmSync(certDir, { recursive: true, force: true });
  say("services stopped");
  return 0;
}

if (require.main === module) {
  const command = process.argv[2] ?? "up";
  const run = command === "destroy" ? destroy : command === "up" ? up : undefined;
  if (!run) {
    say("usage: demo.js [up|destroy]");
    process.exitCode = 2;
  } else {
    run().then(
      (code) => (process.exitCode = code),
      (err: unknown) => {
        say(err instanceof Error ? err.message : String(err));
        process.exitCode = 1;
      },
    );
  }
}
