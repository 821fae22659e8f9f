import { execFileSync, spawn } from "node:child_process";
import * as path from "node:path";
import { repoRoot } from "./repo";

/** What scripts/stack.ts reports for one command. */
export interface StackResult {
  error?: string;
  /** Set when startStack's kill() ended the run. */
  killed?: boolean;
  summary?: Record<string, number>;
  changeSummary?: Record<string, number>;
  outputs?: Record<string, unknown>;
  deployment?: { deployment: { resources?: StateResource[] } };
  events: { urn: string; type: string; op: string; keys?: string[]; diffs?: string[] }[];
  /** Everything the CLI printed (not the driver's own result line), for asserting that no secret reached it. */
  log: string;
}

export interface StateResource {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

export interface StackOptions {
  /** Compiled program under dist/, e.g. dist/examples/byok-database/index.js. */
  program: string;
  project: string;
  stack: string;
  stateDir: string;
  env: Record<string, string>;
  config?: Record<string, string>;
  expectNoChanges?: boolean;
  showSecrets?: boolean;
  /** URNs for `--replace` and `--target`. */
  replace?: string[];
  target?: string[];
  /** Config keys this run does not set are removed first (stack config otherwise persists between runs). */
  resetConfig?: boolean;
  /** Policy pack folders and their config files (`--policy-pack`, `--policy-pack-config`). */
  policyPacks?: string[];
  policyPackConfigs?: string[];
  /** For preview: write what `pulumi preview --json` prints to this file. */
  jsonOut?: string;
  /** A Pulumi.<stack>.yaml file whose config the stack uses. */
  stackSettings?: string;
}

/**
 * Runs one Pulumi command on a program with the real CLI, in a plain Node process (Pulumi programs must not run
 * inside Jest's module sandbox). Rejects only when the driver itself could not report; a failed deployment comes
 * back as `error`.
 */
export function runStack(command: string, opts: StackOptions): Promise<StackResult> {
  return startStack(command, opts).result;
}

export interface RunningStack {
  result: Promise<StackResult>;
  /** SIGKILL to the driver, the CLI and the provider at once, as when a CI job is cancelled or a machine dies. */
  kill(): void;
}

/** Like runStack, but the run can be killed; a killed run's result resolves with `killed` set. */
export function startStack(command: string, opts: StackOptions): RunningStack {
  const args = [
    path.join(repoRoot(), "dist", "scripts", "stack.js"),
    command,
    "--program",
    path.resolve(repoRoot(), opts.program),
    "--project",
    opts.project,
    "--stack",
    opts.stack,
    "--state",
    opts.stateDir,
  ];
  for (const [k, v] of Object.entries(opts.config ?? {})) args.push("--config", `${k}=${v}`);
  if (opts.expectNoChanges) args.push("--expect-no-changes");
  if (opts.showSecrets) args.push("--show-secrets");
  for (const urn of opts.replace ?? []) args.push("--replace", urn);
  if (opts.resetConfig) args.push("--reset-config");
  for (const urn of opts.target ?? []) args.push("--target", urn);
  for (const dir of opts.policyPacks ?? []) args.push("--policy-pack", path.resolve(repoRoot(), dir));
  for (const file of opts.policyPackConfigs ?? []) args.push("--policy-pack-config", path.resolve(repoRoot(), file));
  if (opts.jsonOut) args.push("--json-out", opts.jsonOut);
  if (opts.stackSettings) args.push("--stack-settings", path.resolve(repoRoot(), opts.stackSettings));
  // Its own process group, so kill() reaches the CLI and the provider host it starts.
  const child = spawn(process.execPath, args, {
    cwd: repoRoot(),
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let killed = false;
  const result = new Promise<StackResult>((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", () => {
      const log =
        stderr +
        stdout
          .split("\n")
          .filter((l) => !l.startsWith("RESULT:"))
          .join("\n");
      if (killed) return resolve({ killed: true, events: [], log });
      const line = stdout.split("\n").find((l) => l.startsWith("RESULT:"));
      if (!line) return reject(new Error(`stack driver gave no result for ${command}:\n${stdout}\n${stderr}`));
      const parsed = JSON.parse(line.slice("RESULT:".length)) as Omit<StackResult, "log">;
      resolve({ ...parsed, events: parsed.events ?? [], log });
    });
  });
  return {
    result,
    kill: () => {
      killed = true;
      if (child.pid === undefined) return;
      // The CLI starts provider plugins in process groups of their own, so the group alone would leave the
      // provider running (and finishing what it was doing) after the "kill": every descendant goes too.
      const descendants = descendantsOf(child.pid);
      process.kill(-child.pid, "SIGKILL");
      for (const pid of descendants) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone with its group
        }
      }
    },
  };
}

/** Every process below `pid`, from `ps` (the CLI's plugins included, whatever their process group). */
function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const line of execFileSync("ps", ["-eo", "pid=,ppid="], { encoding: "utf8" }).split("\n")) {
    const [p, parent] = line.trim().split(/\s+/).map(Number);
    if (p === undefined || parent === undefined || Number.isNaN(p) || Number.isNaN(parent)) continue;
    children.set(parent, [...(children.get(parent) ?? []), p]);
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const c of children.get(queue.shift() ?? -1) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

/** The resources of one type in an exported deployment. */
export function resourcesOfType(result: StackResult, typeSuffix: string): StateResource[] {
  return (result.deployment?.deployment.resources ?? []).filter((r) => r.type.endsWith(typeSuffix));
}

/** Every step of a run that does something, as `op name`, sorted: what a reviewer reads in a preview. */
export function stepsOf(result: StackResult): string[] {
  return result.events
    .filter((e) => e.op !== "same" && e.op !== "read" && !e.type.startsWith("pulumi:"))
    .map((e) => `${e.op} ${e.urn.split("::").pop()}`)
    .sort();
}
