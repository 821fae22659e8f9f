// What one emulated database costs now that each has its own PostgreSQL cluster (emulator/README.md,
// "Databases: one cluster each"): creates N private databases with two credentials each, then prints the create
// time, the memory (PSS) of all their PostgreSQL processes once idle, their disk use, and how long reset takes.
// Run: npm run build && node dist/bench/database-memory.js [N=10]. Starts its own moto and emulator.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startServices } from "../tests/support/services";

/** Idle superuser pools close after 2 s (emulator/pg/admin.ts); wait past that so only the clusters are counted. */
const SETTLE_MS = 4000;

/** PSS (kB) of every PostgreSQL process whose postmaster runs a data dir under `stateDir`. */
function postgresMemory(stateDir: string): { pssKb: number; processes: number; clusters: number } {
  const postmasters = fs
    .readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const cmd = fs.readFileSync(`/proc/${p}/cmdline`, "utf8");
        return cmd.includes("postgres") && cmd.includes(stateDir);
      } catch {
        return false; // exited meanwhile
      }
    });
  const pids = new Set(postmasters);
  for (const pm of postmasters) {
    const children = execFileSync("pgrep", ["-P", pm], { encoding: "utf8" }).trim().split("\n");
    for (const c of children) if (c) pids.add(c);
  }
  let pssKb = 0;
  for (const pid of pids) {
    const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
    pssKb += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
  }
  return { pssKb, processes: pids.size, clusters: postmasters.length };
}

async function call(base: string, method: string, route: string, body: unknown): Promise<{ name: string }> {
  const res = await fetch(`${base}${route}`, {
    method,
    headers: {
      Accept: "application/vnd.heroku+json; version=3",
      Authorization: "Bearer hps-acme-token-0001",
      "Content-Type": "application/json",
    },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${route} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { name: string };
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 10);
  const started = Date.now();
  const s = await startServices();
  try {
    const base = s.emulator.url;
    console.log(`services up (moto, template initdb): ${Date.now() - started} ms`);
    await call(base, "PUT", "/__emulator/speed", { "addon-provision": "immediate", credential: "immediate" });
    const creates: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = Date.now();
      const app = i % 2 === 0 ? "acme-api" : "acme-reports";
      const addon = await call(base, "POST", `/apps/${app}/addons`, { plan: "heroku-postgresql:private-0" });
      creates.push(Date.now() - t);
      for (const name of ["analyst", "reporting"]) {
        await call(base, "POST", `/postgres/v0/databases/${addon.name}/credentials`, { name });
      }
    }
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const mem = postgresMemory(s.stateDir);
    const diskKb = Number(
      execFileSync("du", ["-sk", path.join(s.stateDir, "clusters")], { encoding: "utf8" }).split("\t")[0],
    );
    creates.sort((a, b) => a - b);
    console.log(
      `load average: ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")} on ${os.cpus().length} cores`,
    );
    console.log(`add-on create: median ${creates[Math.floor(n / 2)]} ms, max ${creates[n - 1]} ms`);
    console.log(
      `${mem.clusters} clusters, ${mem.processes} processes, PSS ${mem.pssKb} kB: ${Math.round(mem.pssKb / n)} kB per database`,
    );
    console.log(`disk: ${Math.round(diskKb / n)} kB per database`);
    const t = Date.now();
    await call(base, "POST", "/__emulator/reset", {});
    console.log(`reset (stops and removes ${n} clusters): ${Date.now() - t} ms`);
  } finally {
    await s.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
