// `npm run bench` (scripts/bench.sh): starts its own moto + emulator, runs the peer comparison (herokux and this
// project on the same workload) and the reference stack at the default and Heroku-like speeds with the real
// Pulumi CLI (and Terraform or OpenTofu), and writes bench/RESULTS.md. Never asserts on time.
//   --only peer | --only reference   one part (written to .run/bench/RESULTS-<part>.md unless --out is given)
//   --only migration                 the BYOK migration bench alone (bench/migration.ts, writes MIGRATION.md)
//   --fast-only                      the default speeds only, no migration bench (minutes, not half an hour)
//   --out FILE                       where to write the report
//   --render FILE.json               no runs: write the report again from a run's measurements (each run saves
//                                    them as .run/bench/<report name>.json) to --out, by default FILE without .json
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../tests/support/repo";
import { startServices } from "../tests/support/services";
import { DELAYS, HEROKU_LIKE } from "./measure";
import { benchMigration } from "./migration";
import { report, type ReportInput } from "./report";
import { s } from "./report-format";
import { log } from "./stacks";
import { measurePeer } from "./workloads/peer";
import { measureReference } from "./workloads/reference";
import { preparePeer, type PeerTool } from "./workloads/terraform";

interface Options {
  render?: string;
  outGiven: boolean;
  peer: boolean;
  reference: boolean;
  migration: boolean;
  herokuLike: boolean;
  out: string;
}

function parseOptions(argv: string[]): Options {
  let only: string | undefined;
  let out: string | undefined;
  let herokuLike = true;
  let render: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--only") only = argv[++i];
    else if (a === "--out") out = argv[++i];
    else if (a === "--fast-only") herokuLike = false;
    else if (a === "--render") render = argv[++i];
    else
      throw new Error(
        `unknown option ${a}: use --only peer|reference|migration, --fast-only, --out FILE, --render FILE`,
      );
  }
  if (only !== undefined && only !== "peer" && only !== "reference" && only !== "migration")
    throw new Error(`--only takes peer, reference or migration, not ${only}`);
  const partial = only !== undefined || !herokuLike;
  const name = `RESULTS${only ? `-${only}` : ""}${herokuLike ? "" : "-fast"}.md`;
  return {
    ...(render ? { render: path.resolve(render) } : {}),
    outGiven: out !== undefined,
    peer: only === undefined || only === "peer",
    reference: only === undefined || only === "reference",
    // Last in a full run, with its own emulator; it writes bench/MIGRATION.md itself.
    migration: only === "migration" || (only === undefined && herokuLike),
    herokuLike,
    // Only a full run replaces the committed RESULTS.md.
    out: path.resolve(
      out ?? (partial ? path.join(repoRoot(), ".run", "bench", name) : path.join(repoRoot(), "bench", "RESULTS.md")),
    ),
  };
}

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "unknown";
  }
}

function machine(peer: PeerTool | undefined): Record<string, string> {
  const cpus = os.cpus();
  const pgBin = process.env.HPS_PG_BIN ?? "/usr/lib/postgresql/15/bin";
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the installed SDK's own version
  const sdk = require("@pulumi/pulumi/package.json") as { version: string };
  return {
    "CPUs (nproc)": String(os.availableParallelism()),
    "CPU model": cpus[0]?.model ?? "unknown",
    Memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    OS: `${os.type()} ${os.release()}`,
    Node: process.version,
    "Pulumi CLI": sh("pulumi", ["version"]),
    "@pulumi/pulumi": sdk.version,
    PostgreSQL: sh(path.join(pgBin, "postgres"), ["--version"]),
    ...(peer
      ? { "Peer CLI": peer.version, "terraform-provider-herokux": `v${peer.herokuxVersion} (built from source)` }
      : {}),
  };
}

async function writeReport(input: ReportInput, out: string): Promise<void> {
  // Formatted as the repository's prettier would, so `prettier --check` passes on the generated file.
  const prettier = await import("prettier");
  const options = (await prettier.resolveConfig(path.join(repoRoot(), "bench", "RESULTS.md"))) ?? {};
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, await prettier.format(report(input), { ...options, filepath: out }));
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  if (opts.render) {
    const saved = JSON.parse(fs.readFileSync(opts.render, "utf8")) as ReportInput;
    const out = opts.outGiven ? opts.out : opts.render.replace(/\.json$/, "");
    await writeReport({ ...saved, startedAt: new Date(saved.startedAt), finishedAt: new Date(saved.finishedAt) }, out);
    log(`wrote ${path.relative(repoRoot(), out)} from ${path.relative(repoRoot(), opts.render)}`);
    return;
  }
  if (!opts.peer && !opts.reference) {
    await benchMigration();
    return;
  }
  const startedAt = new Date();
  const loadBefore = os.loadavg();
  const tool = opts.peer ? preparePeer() : undefined;
  const env = machine(tool);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "hps-bench-"));
  log(`starting moto and the emulator (work dir ${work})`);
  const services = await startServices();
  try {
    const input: Omit<ReportInput, "finishedAt" | "loadAfter"> = { startedAt, loadBefore, env };
    if (tool) {
      const fast = await measurePeer(services, work, tool, "default", DELAYS);
      const slow = opts.herokuLike ? await measurePeer(services, work, tool, "heroku-like", HEROKU_LIKE) : undefined;
      input.peer = { default: fast, ...(slow ? { herokuLike: slow } : {}), cli: tool.version };
    }
    if (opts.reference)
      input.reference = await measureReference(services, work, {
        default: DELAYS,
        ...(opts.herokuLike ? { herokuLike: HEROKU_LIKE } : {}),
      });
    const finishedAt = new Date();
    const full: ReportInput = { ...input, finishedAt, loadAfter: os.loadavg() };
    fs.mkdirSync(path.dirname(opts.out), { recursive: true });
    // The measurements, for --render (not committed: the request logs make it large).
    const saved = path.join(repoRoot(), ".run", "bench", `${path.basename(opts.out)}.json`);
    fs.mkdirSync(path.dirname(saved), { recursive: true });
    fs.writeFileSync(saved, JSON.stringify(full));
    await writeReport(full, opts.out);
    log(`wrote ${path.relative(repoRoot(), opts.out)} in ${s(finishedAt.getTime() - startedAt.getTime())}`);
  } finally {
    await services.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
  if (opts.migration) await benchMigration();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
