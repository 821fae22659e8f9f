// The README's main command: starts the local Heroku emulator and moto, runs `pulumi up` on the root stack
// (index.ts) with the real Pulumi CLI, prints its outputs with secrets masked, and proves the posture against the
// real PostgreSQL server behind the emulator. Exits non-zero when any proof fails.
//   node dist/scripts/demo.js            up + proofs (services keep running so you can look around)
//   node dist/scripts/demo.js destroy    pulumi destroy, then stop the services
import * as fs from "node:fs";
import * as path from "node:path";
import { Client } from "pg";
import { libpqUrl } from "../tests/support/pg";
import { runStack, type StackOptions } from "../tests/support/pulumi";
import { serviceEnv, startServices, stopServices } from "./services";

const repoRoot = path.resolve(__dirname, "..", "..");
const demoDir = path.join(repoRoot, ".run", "demo");

function stackOptions(env: Record<string, string>): StackOptions {
  return {
    program: path.join("dist", "index.js"),
    project: "heroku-pg-secure-demo",
    stack: "demo",
    stateDir: path.join(demoDir, "pulumi"),
    env,
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

async function up(): Promise<number> {
  say("starting the Heroku emulator (with its PostgreSQL cluster) and moto (AWS KMS) ...");
  const services = await startServices(demoDir);
  const env = serviceEnv(services);
  say(`  emulator: ${services.httpsUrl}   moto: ${services.motoEndpoint}`);
  say("pulumi up (real Pulumi CLI, file backend in .run/demo/pulumi) ...");
  const result = await runStack("up", stackOptions(env));
  if (result.error) {
    say(result.log);
    say(`pulumi up failed: ${result.error}`);
    return 1;
  }
  say(`  changes: ${JSON.stringify(result.summary)}`);
  say("outputs (secrets masked):");
  for (const [k, v] of Object.entries(result.outputs ?? {})) say(`  ${k}: ${JSON.stringify(v)}`);

  // The proofs need the real URL; it is read from the stack, used, and never printed.
  const secret = await runStack("outputs", { ...stackOptions(env), showSecrets: true });
  const url = String(secret.outputs?.connectionUrl ?? "");
  say("proofs:");
  const ok = await prove("connect with the connection URL over verified TLS", async () => {
    const client = new Client({ connectionString: libpqUrl(url) });
    await client.connect();
    try {
      const r = await client.query<{ user: string; ssl: boolean; version: string }>(
        "select current_user as user, ssl, version from pg_stat_ssl where pid = pg_backend_pid()",
      );
      const row = r.rows[0];
      if (!row?.ssl) throw new Error("the connection is not encrypted");
      return `${maskUrl(url)} (user ${row.user}, ${row.version})`;
    } finally {
      await client.end();
    }
  });
  const wrongHost = await prove("a client that checks the server's name refuses a mismatched host", async () => {
    const client = new Client({ connectionString: libpqUrl(url.replace("@localhost:", "@127.0.0.1:")) });
    try {
      await client.connect();
    } catch (err) {
      return `refused (${err instanceof Error ? err.message : String(err)})`;
    } finally {
      await client.end().catch(() => undefined);
    }
    throw new Error("connected although the certificate does not name 127.0.0.1");
  });
  const byok = await prove("Heroku reports the database encrypted with the stack's key", async () => {
    const res = await fetch(`${services.url}/client/v11/databases/${String(result.outputs?.addonName)}`, {
      headers: { Authorization: `Bearer ${env.HEROKU_API_KEY}`, Accept: "application/vnd.heroku+json; version=3" },
    });
    const info = (await res.json()) as { info: { name: string; values: string[] }[] };
    const row = info.info.find((r) => r.name === "Customer Encryption Key");
    if (row?.values[0] !== result.outputs?.keyArn) throw new Error(`info row is ${JSON.stringify(row)}`);
    return `"Customer Encryption Key" = ${String(result.outputs?.keyArn)}`;
  });

  // A working URL for the user, without printing the password: a file only its owner can read.
  const urlFile = path.join(demoDir, "connection-url");
  fs.writeFileSync(urlFile, `${url}\n`, { mode: 0o600 });
  fs.chmodSync(urlFile, 0o600);
  say("");
  say(
    `The connection URL is in ${path.relative(process.cwd(), urlFile)} (mode 0600): psql "$(cat ${path.relative(process.cwd(), urlFile)})"`,
  );
  say("The emulator and moto keep running. Tear everything down with: bash scripts/demo.sh destroy");
  return ok && wrongHost && byok ? 0 : 1;
}

async function destroy(): Promise<number> {
  const services = await startServices(demoDir);
  const result = await runStack("destroy", stackOptions(serviceEnv(services)));
  if (result.error) {
    say(result.log);
    say(`pulumi destroy failed: ${result.error}`);
    return 1;
  }
  say(`destroyed: ${JSON.stringify(result.summary)}`);
  await stopServices(demoDir);
  fs.rmSync(path.join(demoDir, "connection-url"), { force: true });
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
