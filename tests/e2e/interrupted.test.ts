// Interrupted runs through the real CLI (issue 6): `pulumi up` killed (SIGKILL to the driver, the CLI and the
// provider, as when a CI job is cancelled) while Heroku is still provisioning what it asked for, and the emulator
// restarted in the middle of `up`. A following `pulumi cancel` (the killed run's lock stays), `pulumi refresh` and
// `pulumi up` must converge to exactly the declared state: every object listed through Heroku's API, each made by
// exactly one successful POST, nothing orphaned, and a no-change preview afterwards.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator/index";
import { startMoto, type RunningMoto } from "../support/moto";
import { runStack, startStack, type StackOptions } from "../support/pulumi";
import { serviceEnv } from "../support/services";
import { controlJson, expectDemoState, herokuState, type LoggedRequest, requestLog } from "./emulator-client";
import { demoStack } from "./fixture";

jest.setTimeout(20 * 60_000);

let moto: RunningMoto;
let emulator: RunningEmulator;
let emulatorDir: string;
let workDir: string;
let ports: { port: number; httpsPort: number };
const env: Record<string, string> = {};
const services = {
  get emulator(): { url: string } {
    return emulator;
  },
  env,
};

/** Slow enough that a kill lands while Heroku is still working, fast enough for CI. */
const SPEEDS = {
  "addon-provision": { ms: 4_000 },
  "addon-deprovision": { ms: 300 },
  mtls: { ms: 3_000 },
  certificate: { ms: 1_500 },
  "ip-rule": { ms: 3_000 },
  credential: { ms: 3_000 },
};

function demo(stack: string): StackOptions {
  return demoStack({ workDir, env }, stack, "interrupted");
}

async function bootEmulator(): Promise<void> {
  emulator = await startEmulator({ stateDir: emulatorDir, kmsEndpoint: moto.endpoint, ...ports });
  ports = { port: Number(new URL(emulator.url).port), httpsPort: Number(new URL(emulator.httpsUrl).port) };
  Object.assign(env, serviceEnv(emulator, moto));
}

/** Polls the emulator's request log until `seen` holds; the run must still be going. */
async function waitForRequest(seen: (log: LoggedRequest[]) => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5 * 60_000;
  while (Date.now() < deadline) {
    if (seen(await requestLog(services))) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the run never reached: ${what}`);
}

const created = (log: LoggedRequest[], collection: string): number =>
  log.filter((x) => x.method === "POST" && x.status === 201 && x.path.endsWith(`/${collection}`)).length;

/** One successful create per declared object over everything the test ran: nothing was made twice. */
function expectEachMadeOnce(log: LoggedRequest[]): void {
  expect(created(log, "addons")).toBe(1);
  expect(created(log, "tls-endpoint")).toBe(1);
  expect(created(log, "certificates")).toBe(1); // enabling mTLS made the other one
  expect(created(log, "ip-rules")).toBe(2);
  expect(created(log, "credentials")).toBe(2);
}

/** What a person does after a killed run: release the lock, refresh, apply. */
async function recover(stack: string): Promise<void> {
  const cancel = await runStack("cancel", demo(stack));
  expect(cancel.error).toBeUndefined();
  const refresh = await runStack("refresh", demo(stack));
  expect(refresh.error).toBeUndefined();
  const up = await runStack("up", demo(stack));
  expect(up.error).toBeUndefined();
}

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "hps-e2e-interrupted-"));
  // Its own temp dir, as startServices makes: the emulator hands it to the postgres user.
  emulatorDir = fs.mkdtempSync(path.join(os.tmpdir(), "hps-emulator-"));
  moto = await startMoto();
  ports = { port: 0, httpsPort: 0 };
  await bootEmulator();
});

afterAll(async () => {
  await emulator?.stop();
  await moto?.stop();
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  if (emulatorDir) fs.rmSync(emulatorDir, { recursive: true, force: true });
});

beforeEach(async () => {
  await controlJson(services, "POST", "/reset");
  await controlJson(services, "PUT", "/speed", SPEEDS);
});

test("pulumi killed while the database provisions, then again while rules and credentials are made: refresh and up converge", async () => {
  const first = startStack("up", demo("killed"));
  await waitForRequest((log) => created(log, "addons") === 1, "the add-on was created");
  first.kill();
  expect((await first.result).killed).toBe(true);
  // The add-on exists at Heroku but not in the stack; the next run must find it, not make a second one.
  expect((await herokuState(services, "acme-api")).addons).toHaveLength(1);

  const cancel = await runStack("cancel", demo("killed"));
  expect(cancel.error).toBeUndefined();
  const second = startStack("up", demo("killed"));
  // Credentials are made as soon as the database exists; the kill lands while the allowlist's rules authorize and
  // the credentials' grants wait for them.
  await waitForRequest((log) => created(log, "ip-rules") >= 1, "an IP rule was created");
  second.kill();
  expect((await second.result).killed).toBe(true);

  await recover("killed");
  expectDemoState(await herokuState(services, "acme-api"));
  expectEachMadeOnce(await requestLog(services));

  await controlJson(services, "DELETE", "/requests");
  const preview = await runStack("preview", { ...demo("killed"), expectNoChanges: true });
  expect(preview.error).toBeUndefined();
  expect((await requestLog(services)).filter((x) => x.method !== "GET")).toEqual([]);

  const destroyed = await runStack("destroy", demo("killed"));
  expect(destroyed.error).toBeUndefined();
  expect((await herokuState(services, "acme-api")).addons).toEqual([]);
});

test("pulumi killed while credentials provision: the half-made credentials are resumed, not refused or doubled", async () => {
  const first = startStack("up", demo("killed-creds"));
  await waitForRequest((log) => created(log, "credentials") >= 1, "a credential was created");
  first.kill();
  expect((await first.result).killed).toBe(true);

  await recover("killed-creds");
  expectDemoState(await herokuState(services, "acme-api"));
  expectEachMadeOnce(await requestLog(services));
  const destroyed = await runStack("destroy", demo("killed-creds"));
  expect(destroyed.error).toBeUndefined();
  expect((await herokuState(services, "acme-api")).addons).toEqual([]);
});

test("the emulator restarted in the middle of up: up finishes or fails clearly, and refresh and up converge", async () => {
  const run = startStack("up", demo("restart"));
  await waitForRequest((log) => created(log, "tls-endpoint") === 1, "mTLS was enabled");
  await emulator.stop();
  await bootEmulator(); // same ports and state directory: Heroku came back with everything it had
  const result = await run.result;
  if (result.error) {
    // A restart longer than the client's retry budget ends the run with the network error, never a half state.
    expect(result.error).toMatch(/ECONNREFUSED|ECONNRESET|socket hang up|still failed after \d+ attempts/);
  }
  const refresh = await runStack("refresh", demo("restart"));
  expect(refresh.error).toBeUndefined();
  const up = await runStack("up", demo("restart"));
  expect(up.error).toBeUndefined();
  expectDemoState(await herokuState(services, "acme-api"));
  // The request log restarts with the emulator, so count what exists rather than the POSTs before the restart.
  const preview = await runStack("preview", { ...demo("restart"), expectNoChanges: true });
  expect(preview.error).toBeUndefined();
  const destroyed = await runStack("destroy", demo("restart"));
  expect(destroyed.error).toBeUndefined();
  expect((await herokuState(services, "acme-api")).addons).toEqual([]);
});
