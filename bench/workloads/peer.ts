// The peer comparison (issue #16): the same workload, on one existing Private database, through
// terraform-provider-herokux (bench/peer/main.tf) and through this project (bench/programs/peer-workload.ts),
// at one speed setting. Each tool's apply/up and destroy are timed, their API calls taken from the emulator's
// request log, and what they left checked in the emulator's state, so a run that did less cannot look faster.
import * as path from "node:path";
import type { Services } from "../../tests/support/services";
import { clearRequests, createDatabase, emulatorState, requests, resetEmulator } from "../emulator-control";
import { noticeDelays, type Delays, type LoggedRequest, type NoticeDelay } from "../measure";
import { timedPulumi } from "../stacks";
import { peerDir, terraform, type PeerTool } from "./terraform";

const RULES = 5;
const CREDENTIALS = 3;

export interface Step {
  ms: number;
  log: LoggedRequest[];
}

export interface ToolRun {
  up: Step & { notices: NoticeDelay[] };
  /** A plan (herokux) or preview (project) right after: its calls, and whether it proposed changes. */
  noChange: Step & { changes: boolean };
  destroy: Step;
  /** What the emulator held after up and after destroy, e.g. "mTLS Operational, 1 certificate ready, ...". */
  afterUp: string;
  afterDestroy: string;
}

export interface PeerResult {
  speed: string;
  delays: Delays;
  herokux: ToolRun;
  project: ToolRun;
}

interface StateAddon {
  name: string;
  state: string;
  mtls?: { status: string; certificates: { status: string }[]; ipRules: { status: string }[] };
  credentials?: { name: string; state: string }[];
}

/** The workload's objects on the database, in words, from the emulator's state. */
async function describe(services: Services, database: string): Promise<{ text: string; complete: boolean }> {
  const state = await emulatorState<{ addons: StateAddon[] }>(services);
  const addon = state.addons.find((a) => a.name === database);
  if (!addon) return { text: "database gone", complete: false };
  const m = addon.mtls;
  const ready = m?.certificates.filter((c) => c.status === "ready").length ?? 0;
  const authorized = m?.ipRules.filter((r) => r.status === "Authorized").length ?? 0;
  const active = (addon.credentials ?? []).filter((c) => c.name !== "default" && c.state === "active").length;
  const text =
    `database ${addon.state}, mTLS ${m?.status ?? "off"}, ${ready} certificate(s) ready, ` +
    `${authorized} rule(s) Authorized, ${active} credential(s) active`;
  return {
    text,
    complete: m?.status === "Operational" && ready >= 1 && authorized === RULES && active === CREDENTIALS,
  };
}

async function step<T>(services: Services, run: () => Promise<T>): Promise<Step & { value: T }> {
  await clearRequests(services);
  const started = performance.now();
  const value = await run();
  return { ms: performance.now() - started, log: await requests(services), value };
}

async function notices(services: Services, log: LoggedRequest[], delays: Delays): Promise<NoticeDelay[]> {
  return noticeDelays(await emulatorState<Parameters<typeof noticeDelays>[0]>(services), log, delays);
}

async function checked(services: Services, database: string, tool: string, when: string, expectComplete: boolean) {
  const { text, complete } = await describe(services, database);
  if (complete !== expectComplete) throw new Error(`${tool} ${when}: the emulator holds ${text}`);
  return text;
}

const bare = (s: Step): Step => ({ ms: s.ms, log: s.log });

async function runHerokux(
  services: Services,
  work: string,
  tool: PeerTool,
  speed: string,
  delays: Delays,
): Promise<ToolRun> {
  const database = await createDatabase(services);
  const dir = peerDir(work, tool, `herokux-${speed}`);
  const up = await step(services, () => terraform(tool, services, dir, "apply", database));
  const upNotices = await notices(services, up.log, delays);
  const afterUp = await checked(services, database, "herokux apply", "after apply", true);
  const noChange = await step(services, () => terraform(tool, services, dir, "plan", database));
  const destroy = await step(services, () => terraform(tool, services, dir, "destroy", database));
  const afterDestroy = await checked(services, database, "herokux destroy", "after destroy", false);
  return {
    up: { ...bare(up), notices: upNotices },
    // -detailed-exitcode: 2 when the plan has changes (drift the emulator's answers would cause).
    noChange: { ...bare(noChange), changes: noChange.value.code === 2 },
    destroy: bare(destroy),
    afterUp,
    afterDestroy,
  };
}

async function runProject(services: Services, work: string, speed: string, delays: Delays): Promise<ToolRun> {
  const database = await createDatabase(services);
  const run = {
    program: "dist/bench/programs/peer-workload.js",
    project: `bench-peer-${speed}`,
    stateDir: path.join(work, `project-${speed}`),
    config: { database },
    label: `peer workload, ${speed} speeds`,
  };
  const up = await step(services, () => timedPulumi("up", services, run));
  const upNotices = await notices(services, up.log, delays);
  const afterUp = await checked(services, database, "pulumi up", "after up", true);
  const noChange = await step(services, () => timedPulumi("preview", services, { ...run, expectNoChanges: true }));
  const destroy = await step(services, () => timedPulumi("destroy", services, run));
  const afterDestroy = await checked(services, database, "pulumi destroy", "after destroy", false);
  return {
    up: { ...bare(up), notices: upNotices },
    // expectNoChanges: the preview fails, and the bench with it, if it proposes any change.
    noChange: { ...bare(noChange), changes: false },
    destroy: bare(destroy),
    afterUp,
    afterDestroy,
  };
}

/** Both tools at one speed setting, each on a freshly reset emulator with a database of its own. */
export async function measurePeer(
  services: Services,
  work: string,
  tool: PeerTool,
  speed: string,
  delays: Delays,
): Promise<PeerResult> {
  await resetEmulator(services, delays);
  const herokux = await runHerokux(services, work, tool, speed, delays);
  await resetEmulator(services, delays);
  const project = await runProject(services, work, speed, delays);
  return { speed, delays, herokux, project };
}
