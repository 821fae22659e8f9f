// Runs one Pulumi command of a bench program with the real CLI (scripts/stack.ts, through tests/support) and
// times the whole driver: workspace, config, the CLI, the program and the provider.
import { runStack, type StackResult } from "../tests/support/pulumi";
import type { Services } from "../tests/support/services";

export function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

export interface Timed {
  ms: number;
  result: StackResult;
}

export interface PulumiRun {
  program: string;
  project: string;
  stateDir: string;
  config: Record<string, string>;
  env?: Record<string, string>;
  expectNoChanges?: boolean;
  /** For the log line: what this run is. */
  label: string;
}

export async function timedPulumi(command: string, services: Services, run: PulumiRun): Promise<Timed> {
  const started = performance.now();
  const result = await runStack(command, {
    program: run.program,
    project: run.project,
    stack: "bench",
    stateDir: run.stateDir,
    env: { ...services.env, ...run.env },
    config: run.config,
    ...(run.expectNoChanges ? { expectNoChanges: true } : {}),
  });
  const elapsed = performance.now() - started;
  if (result.error) throw new Error(`${command} of ${run.project} failed: ${result.error}\n${result.log.slice(-4000)}`);
  const parallel = run.env?.PULUMI_PARALLEL ? `, parallel ${run.env.PULUMI_PARALLEL}` : "";
  log(`${command} ${run.project} (${run.label}${parallel}): ${(elapsed / 1000).toFixed(1)} s`);
  return { ms: elapsed, result };
}
