// KMS faults through the real Pulumi CLI (issue 6) on examples/byok-database: a throttling burst and a throttling
// storm (a proxy in front of moto answers ThrottlingException), and a customer key disabled while its database
// exists. Every check lists what moto and the emulator hold, not the stack's outputs alone.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  DescribeKeyCommand,
  DisableKeyCommand,
  KMSClient,
  ListAliasesCommand,
  ListKeysCommand,
} from "@aws-sdk/client-kms";
import { KMS_THROTTLE_BASE_DELAY_MS, KMS_THROTTLE_MAX_ATTEMPTS } from "../../provider/kms/errors";
import { startKmsFaultProxy, type KmsFaultProxy } from "../support/kms-fault-proxy";
import { startServices, type Services } from "../support/services";
import { resourcesOfType, runStack, type StackOptions } from "../support/pulumi";
import { controlJson, herokuJson, type LoggedRequest } from "./emulator-client";

jest.setTimeout(15 * 60_000);

let services: Services;
let proxy: KmsFaultProxy;
let moto: KMSClient;
let workDir: string;

function byok(stack: string, alias: string): StackOptions {
  return {
    program: "dist/examples/byok-database/index.js",
    project: "byok-database",
    stack,
    stateDir: path.join(workDir, "state"),
    // The provider reaches KMS through the proxy; the emulator (Heroku's side) still talks to moto directly.
    env: { ...services.env, AWS_ENDPOINT_URL_KMS: proxy.endpoint },
    config: { alias },
  };
}

/** Keys moto holds that are not pending deletion. */
async function liveKeys(): Promise<string[]> {
  const ids = ((await moto.send(new ListKeysCommand({}))).Keys ?? []).flatMap((k) => (k.KeyId ? [k.KeyId] : []));
  const live: string[] = [];
  for (const id of ids) {
    const state = (await moto.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata?.KeyState;
    if (state !== "PendingDeletion") live.push(id);
  }
  return live;
}

async function aliasTarget(alias: string): Promise<string | undefined> {
  return ((await moto.send(new ListAliasesCommand({}))).Aliases ?? []).find((a) => a.AliasName === alias)?.TargetKeyId;
}

async function statusRow(addon: string): Promise<string | undefined> {
  const info = await herokuJson<{ info: { name: string; values: string[] }[] }>(
    services,
    "GET",
    `/client/v11/databases/${addon}`,
  );
  return info.info.find((r) => r.name === "Status")?.values[0];
}

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "hps-e2e-kms-"));
  services = await startServices();
  proxy = await startKmsFaultProxy(services.moto.endpoint);
  moto = new KMSClient({
    region: "us-east-1",
    endpoint: services.moto.endpoint,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
  await controlJson(services, "PUT", "/speed", { "addon-provision": { ms: 300 }, "addon-deprovision": { ms: 300 } });
});

afterAll(async () => {
  moto?.destroy();
  await proxy?.stop();
  await services?.stop();
  fs.rmSync(workDir, { recursive: true, force: true });
});

beforeEach(() => proxy.clear());

describe("KMS throttling", () => {
  test("a burst slows the apply, which completes with exactly one key under the alias", async () => {
    const before = await liveKeys();
    const start = proxy.calls().length;
    // A burst at the start (all on CreateKey), then a quarter of all calls, the same calls on every run: seed 3's
    // first draw lets CreateKey through after the burst, within the bound.
    proxy.failNext(KMS_THROTTLE_MAX_ATTEMPTS - 3);
    proxy.failFraction(0.25, {}, 3);
    const r = await runStack("up", byok("burst", "alias/e2e-burst"));
    expect(r.error).toBeUndefined();
    const calls = proxy.calls().slice(start);
    const times = proxy.times().slice(start);
    const throttled = calls.filter((c) => c.outcome === "ThrottlingException");
    expect(throttled.length).toBeGreaterThan(KMS_THROTTLE_MAX_ATTEMPTS - 3);
    // Each throttled call was repeated (the same operation got through later), after at least the base delay.
    calls.forEach((c, i) => {
      if (c.outcome !== "ThrottlingException") return;
      const repeat = calls.findIndex((d, j) => j > i && d.operation === c.operation);
      expect(repeat).toBeGreaterThan(i);
      expect(times[repeat]! - times[i]!).toBeGreaterThanOrEqual(KMS_THROTTLE_BASE_DELAY_MS - 5);
    });
    const made = (await liveKeys()).filter((k) => !before.includes(k));
    expect(made).toHaveLength(1);
    expect(await aliasTarget("alias/e2e-burst")).toBe(made[0]);
    expect(r.outputs?.keyId).toBe(made[0]);
  });

  test("a storm ends with the clear error and no key; the next up makes exactly one", async () => {
    const before = await liveKeys();
    const start = proxy.calls().length;
    proxy.failFraction(1);
    const failed = await runStack("up", byok("storm", "alias/e2e-storm"));
    expect(failed.error).toMatch(
      new RegExp(
        `creating CustomerKey alias/e2e-storm in us-east-1: AWS KMS throttled the request: CreateKey answered ThrottlingException on all ${KMS_THROTTLE_MAX_ATTEMPTS} attempts over \\d+s, so the account's KMS request quota in this Region is used up\\. Nothing after this call was done; wait a minute and run pulumi up again`,
      ),
    );
    expect(proxy.calls().slice(start)).toEqual(
      Array.from({ length: KMS_THROTTLE_MAX_ATTEMPTS }, () => ({
        operation: "CreateKey",
        outcome: "ThrottlingException",
      })),
    );
    expect((await liveKeys()).filter((k) => !before.includes(k))).toEqual([]);
    expect(await aliasTarget("alias/e2e-storm")).toBeUndefined();

    proxy.clear();
    const r = await runStack("up", byok("storm", "alias/e2e-storm"));
    expect(r.error).toBeUndefined();
    const made = (await liveKeys()).filter((k) => !before.includes(k));
    expect(made).toEqual([r.outputs?.keyId]);
    expect(await aliasTarget("alias/e2e-storm")).toBe(made[0]);
  });
});

describe("a customer key disabled while its database exists", () => {
  test("refresh names the key and the database and what to do; up enables the key; the database recovers with nothing replaced", async () => {
    const options = byok("disabled", "alias/e2e-disabled");
    const up = await runStack("up", options);
    expect(up.error).toBeUndefined();
    const keyId = String(up.outputs?.keyId);
    const keyArn = String(up.outputs?.keyArn);
    const addonId = String(up.outputs?.addonId);
    const addonName = String(up.outputs?.addonName);
    expect(await statusRow(addonName)).toBe("Available");

    await moto.send(new DisableKeyCommand({ KeyId: keyId }));
    // Heroku notices about 20 minutes later (seed 004); the emulator's watcher, at once.
    await controlJson(services, "POST", "/kms-sync");
    expect(await statusRow(addonName)).toMatch(/^Unavailable/);

    const refresh = await runStack("refresh", options);
    expect(refresh.error).toBeUndefined();
    // Drift on both: the key (enabled) and the database (availability, naming the key and what to do).
    expect(refresh.summary?.update).toBe(2);
    expect(refresh.log).toMatch(/CustomerKey orders-key updated \([\d.]+s\) \[diff: ~enabled\]/);
    expect(refresh.log).toMatch(/SecureDatabase orders-db updated \([\d.]+s\) \[diff: \+availability\]/);
    const state = await runStack("export", options);
    const [key] = resourcesOfType(state, "CustomerKey");
    const [db] = resourcesOfType(state, "SecureDatabase");
    expect(key?.outputs).toMatchObject({ enabled: false, keyState: "Disabled" });
    expect(db?.outputs?.availability).toBe(
      `unavailable: Heroku reports database ${addonName} as "${await statusRow(addonName)}" because its customer ` +
        `encryption key ${keyArn} is Disabled in AWS KMS: enable the key (pulumi up with the CustomerKey's enabled: true, ` +
        `or aws kms enable-key --key-id ${keyArn}); Heroku starts the database again about 5 minutes after the key is enabled`,
    );

    // up enables the key (the CustomerKey declares enabled: true) and re-reads the database: updates only.
    await controlJson(services, "DELETE", "/requests");
    const fix = await runStack("up", options);
    expect(fix.error).toBeUndefined();
    expect(fix.summary).toMatchObject({ update: 2, same: 1 });
    expect(fix.summary?.replace ?? 0).toBe(0);
    expect(fix.summary?.delete ?? 0).toBe(0);
    expect((await moto.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState).toBe("Enabled");
    const calls = await controlJson<LoggedRequest[]>(services, "GET", "/requests");
    expect(calls.filter((c) => c.method !== "GET")).toEqual([]);

    // Heroku restarts the database about 5 minutes after the key returns (seed 004); the emulator, on sync.
    await controlJson(services, "POST", "/kms-sync");
    expect(await statusRow(addonName)).toBe("Available");
    const back = await runStack("refresh", options);
    expect(back.error).toBeUndefined();
    const after = resourcesOfType(await runStack("export", options), "SecureDatabase")[0];
    expect(after?.id).toBe(addonId);
    expect(after?.outputs?.availability).toBeUndefined();
    const again = await runStack("up", { ...options, expectNoChanges: true });
    expect(again.error).toBeUndefined();
    expect(again.summary?.same).toBe(3);
    expect((await herokuJson<{ id: string }[]>(services, "GET", "/apps/acme-api/addons")).map((a) => a.id)).toContain(
      addonId,
    );
  });
});
