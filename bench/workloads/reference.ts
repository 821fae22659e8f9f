// The reference stack (bench/programs/reference.ts) and the engine's own overhead (bench/programs/trivial.ts):
// `up` against the critical path, API calls, notice delays, previews, refresh, state size, memory and scaling.
import * as path from "node:path";
import type { Services } from "../../tests/support/services";
import { emulatorState, requests, resetEmulator, clearRequests } from "../emulator-control";
import {
  criticalPathMs,
  minimumCalls,
  noticeDelays,
  sampleProviderMemory,
  type Delays,
  type LoggedRequest,
  type NoticeDelay,
  type StackShape,
} from "../measure";
import { timedPulumi, type PulumiRun } from "../stacks";

/**
 * The CLI's default parallelism is 4 x GOMAXPROCS (8 on 2 cores), so 60 independent IP rules go in waves. The
 * README recommends `--parallel` (PULUMI_PARALLEL) above the stack's resource count; the bench runs both.
 */
export const RECOMMENDED_PARALLEL = 128;
const PARALLEL_ENV = { PULUMI_PARALLEL: String(RECOMMENDED_PARALLEL) };
export const REFERENCE: StackShape = { rules: 60, credentials: 20, certificates: 2 };
const SCALES: StackShape[] = [
  { rules: 1, credentials: 1, certificates: 2 },
  { rules: 10, credentials: 10, certificates: 2 },
  { rules: 30, credentials: 30, certificates: 2 },
  // At most 60 credentials per database, the default one included.
  { rules: 60, credentials: 59, certificates: 2 },
];
const referenceProgram = "dist/bench/programs/reference.js";
const trivialProgram = "dist/bench/programs/trivial.js";

export interface Scaled {
  shape: StackShape;
  upMs: number;
  calls: number;
  minimum: number;
  criticalMs: number;
}

/** One `up` of the fresh reference stack at the CLI's default parallelism, at one speed setting. */
export interface ReferenceUp {
  delays: Delays;
  upMs: number;
  upLog: LoggedRequest[];
  notices: NoticeDelay[];
  criticalMs: number;
}

export interface ReferenceResult {
  resourceCount: number;
  trivialUpMs: number;
  trivialParallelUpMs: number;
  /** At the default speeds, and at Heroku-like ones when they ran. */
  ups: { default: ReferenceUp; herokuLike?: ReferenceUp };
  parallelUpMs: number;
  parallelLog: LoggedRequest[];
  firstPreviewMs: number;
  firstPreviewLog: LoggedRequest[];
  previewMs: number;
  previewLog: LoggedRequest[];
  refreshMs: number;
  refreshLog: LoggedRequest[];
  perResource: { type: string; bytes: number; providerBytes: number }[];
  mem: { peakKiB: number; processes: number };
  scaled: Scaled[];
}

const shapeConfig = (shape: StackShape): Record<string, string> => ({
  rules: String(shape.rules),
  credentials: String(shape.credentials),
});
const shapeLabel = (shape: StackShape): string => `${shape.rules} rules, ${shape.credentials} credentials`;

function stackRun(program: string, project: string, work: string, shape: StackShape, extra: Partial<PulumiRun> = {}) {
  return {
    program,
    project,
    stateDir: path.join(work, project),
    config: shapeConfig(shape),
    label: shapeLabel(shape),
    ...extra,
  };
}

/** A fresh reference stack's `up` at the CLI's default parallelism, with its notice delays. */
async function referenceUp(services: Services, run: PulumiRun, delays: Delays): Promise<ReferenceUp> {
  const up = await timedPulumi("up", services, run);
  const upLog = await requests(services);
  const state = await emulatorState<Parameters<typeof noticeDelays>[0]>(services);
  return {
    delays,
    upMs: up.ms,
    upLog,
    notices: noticeDelays(state, upLog, delays),
    criticalMs: criticalPathMs(REFERENCE, delays),
  };
}

export async function measureReference(
  services: Services,
  work: string,
  speeds: { default: Delays; herokuLike?: Delays },
): Promise<ReferenceResult> {
  // 1. The engine's overhead: the trivial stack, same number of resources and shape.
  await resetEmulator(services, speeds.default);
  const trivialUp = await timedPulumi("up", services, stackRun(trivialProgram, "bench-trivial", work, REFERENCE));
  const trivialParallelUp = await timedPulumi(
    "up",
    services,
    stackRun(trivialProgram, "bench-trivial-parallel", work, REFERENCE, { env: PARALLEL_ENV }),
  );

  // 2. The reference stack: its first preview (nothing deployed yet), then `up` with the dynamic provider's memory
  // sampled, a preview with no changes, refresh and export.
  await resetEmulator(services, speeds.default);
  const ref = stackRun(referenceProgram, "bench-reference", work, REFERENCE);
  const firstPreview = await timedPulumi("preview", services, { ...ref, label: `${ref.label}, first preview` });
  const firstPreviewLog = await requests(services);
  await clearRequests(services);
  const memory = sampleProviderMemory();
  const up = await referenceUp(services, ref, speeds.default);
  const mem = memory.stop();

  await clearRequests(services);
  const preview = await timedPulumi("preview", services, { ...ref, expectNoChanges: true });
  const previewLog = await requests(services);
  await clearRequests(services);
  const refresh = await timedPulumi("refresh", services, ref);
  const refreshLog = await requests(services);
  const exported = await timedPulumi("export", services, ref);
  const resources = (exported.result.deployment?.deployment.resources ?? []).filter((r) =>
    r.type.startsWith("pulumi-nodejs:dynamic"),
  );
  const perResource = resources.map((r) => {
    const provider = (r.outputs ?? r.inputs)?.__provider;
    return {
      type: r.type.split(":").pop() ?? r.type,
      bytes: Buffer.byteLength(JSON.stringify(r)),
      providerBytes: typeof provider === "string" ? Buffer.byteLength(provider) : 0,
    };
  });

  // 3. The reference stack again, fresh, at the recommended parallelism.
  await resetEmulator(services, speeds.default);
  const parallelUp = await timedPulumi(
    "up",
    services,
    stackRun(referenceProgram, "bench-reference-parallel", work, REFERENCE, { env: PARALLEL_ENV }),
  );
  const parallelLog = await requests(services);

  // 4. Scaled stacks, each on a fresh emulator and a fresh state, at the recommended parallelism.
  const scaled: Scaled[] = [];
  for (const shape of SCALES) {
    await resetEmulator(services, speeds.default);
    const t = await timedPulumi(
      "up",
      services,
      stackRun(referenceProgram, `bench-scale-${shape.rules}`, work, shape, { env: PARALLEL_ENV }),
    );
    scaled.push({
      shape,
      upMs: t.ms,
      calls: (await requests(services)).length,
      minimum: minimumCalls(shape, speeds.default).total,
      criticalMs: criticalPathMs(shape, speeds.default),
    });
  }

  // 5. The reference stack at Heroku-like speeds, fresh, at the CLI's default parallelism (what most users run).
  let herokuLike: ReferenceUp | undefined;
  if (speeds.herokuLike) {
    await resetEmulator(services, speeds.herokuLike);
    const slow = stackRun(referenceProgram, "bench-reference-heroku-like", work, REFERENCE);
    herokuLike = await referenceUp(
      services,
      { ...slow, label: `${slow.label}, Heroku-like speeds` },
      speeds.herokuLike,
    );
  }

  return {
    resourceCount: 4 + REFERENCE.credentials,
    trivialUpMs: trivialUp.ms,
    trivialParallelUpMs: trivialParallelUp.ms,
    ups: { default: up, ...(herokuLike ? { herokuLike } : {}) },
    parallelUpMs: parallelUp.ms,
    parallelLog,
    firstPreviewMs: firstPreview.ms,
    firstPreviewLog,
    previewMs: preview.ms,
    previewLog,
    refreshMs: refresh.ms,
    refreshLog,
    perResource,
    mem,
    scaled,
  };
}
