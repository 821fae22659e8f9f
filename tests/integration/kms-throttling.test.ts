// CustomerKey's hooks against moto behind a proxy that answers ThrottlingException (tests/support). Every check
// lists the keys and aliases moto holds, never the hook's result alone.
import { DescribeKeyCommand, KMSClient, ListAliasesCommand, ListKeysCommand } from "@aws-sdk/client-kms";
import * as hooks from "../../provider/customer-key/hooks";
import { KMS_THROTTLE_BASE_DELAY_MS, KMS_THROTTLE_MAX_ATTEMPTS } from "../../provider/kms/errors";
import { startKmsFaultProxy, type KmsFaultProxy } from "../support/kms-fault-proxy";
import { startMoto, type RunningMoto } from "../support/moto";

jest.setTimeout(3 * 60_000);

let moto: RunningMoto;
let proxy: KmsFaultProxy;
let direct: KMSClient;

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startKmsFaultProxy(moto.endpoint);
  // The provider's client reads this when first made, so it goes through the proxy; `direct` does not.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_REGION: "us-east-1",
    AWS_ENDPOINT_URL_KMS: proxy.endpoint,
  });
  direct = new KMSClient({ region: "us-east-1", endpoint: moto.endpoint });
});
afterAll(async () => {
  direct?.destroy();
  await proxy?.stop();
  await moto?.stop();
});
beforeEach(() => proxy.clear());

/** Keys moto holds that are not pending deletion, and the key each alias points at. */
async function liveKeys(): Promise<string[]> {
  const ids = ((await direct.send(new ListKeysCommand({}))).Keys ?? []).flatMap((k) => (k.KeyId ? [k.KeyId] : []));
  const live: string[] = [];
  for (const id of ids) {
    const state = (await direct.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata?.KeyState;
    if (state !== "PendingDeletion") live.push(id);
  }
  return live;
}
async function aliasTarget(alias: string): Promise<string | undefined> {
  const aliases = (await direct.send(new ListAliasesCommand({}))).Aliases ?? [];
  return aliases.find((a) => a.AliasName === alias)?.TargetKeyId;
}

async function create(alias: string): Promise<{ id: string; outs: { keyId: string } } | Error> {
  const { inputs, failures } = await hooks.check({}, { alias, description: alias });
  expect(failures).toEqual([]);
  return hooks.create(inputs).catch((e: unknown) => e as Error);
}

test("a throttling burst is waited out: the create completes with exactly one key", async () => {
  const before = await liveKeys();
  const start = proxy.calls().length;
  proxy.failNext(KMS_THROTTLE_MAX_ATTEMPTS - 1);
  const made = await create("alias/burst");
  expect(made).not.toBeInstanceOf(Error);
  const calls = proxy.calls().slice(start);
  // The whole burst landed on CreateKey, which got through on the attempt after it: one key was made.
  expect(calls.slice(0, KMS_THROTTLE_MAX_ATTEMPTS)).toEqual([
    ...Array.from({ length: KMS_THROTTLE_MAX_ATTEMPTS - 1 }, () => ({
      operation: "CreateKey",
      outcome: "ThrottlingException",
    })),
    { operation: "CreateKey", outcome: "forwarded" },
  ]);
  // Each repeat waited at least the base delay after the answer it repeats (the backoff, not a tight loop).
  const times = proxy.times().slice(start, start + KMS_THROTTLE_MAX_ATTEMPTS);
  for (let i = 1; i < times.length; i++)
    expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(KMS_THROTTLE_BASE_DELAY_MS - 5);
  const after = await liveKeys();
  expect(after.filter((k) => !before.includes(k))).toEqual([(made as { outs: { keyId: string } }).outs.keyId]);
  expect(await aliasTarget("alias/burst")).toBe((made as { outs: { keyId: string } }).outs.keyId);
});

test("a storm after CreateKey: the error says KMS throttled the request and what to do, the new key is discarded, and the next create makes exactly one", async () => {
  const before = await liveKeys();
  // PutKeyPolicy comes after CreateKey and DescribeKey; throttle it on every attempt.
  proxy.failNext(KMS_THROTTLE_MAX_ATTEMPTS, { operations: ["PutKeyPolicy"] });
  const err = await create("alias/storm");
  expect(err).toBeInstanceOf(Error);
  expect((err as Error).message).toMatch(
    new RegExp(
      `^creating CustomerKey alias/storm in us-east-1: AWS KMS throttled the request: PutKeyPolicy answered ThrottlingException on all ${KMS_THROTTLE_MAX_ATTEMPTS} attempts over \\d+s, .*wait a minute and run pulumi up again`,
    ),
  );
  expect("id" in (err as object)).toBe(false);
  // No half-made key is left: the one made was scheduled for deletion and the alias is free.
  expect((await liveKeys()).filter((k) => !before.includes(k))).toEqual([]);
  expect(await aliasTarget("alias/storm")).toBeUndefined();

  const again = await create("alias/storm");
  expect(again).not.toBeInstanceOf(Error);
  expect((await liveKeys()).filter((k) => !before.includes(k))).toEqual([
    (again as { outs: { keyId: string } }).outs.keyId,
  ]);
  expect(await aliasTarget("alias/storm")).toBe((again as { outs: { keyId: string } }).outs.keyId);
});

test("a storm that also refuses the clean-up: the error names the key left behind and how to adopt it; adopting converges to one key", async () => {
  const before = await liveKeys();
  const everythingButCreate = [
    "DescribeKey",
    "GetKeyPolicy",
    "GetKeyRotationStatus",
    "ListAliases",
    "ListResourceTags",
    "PutKeyPolicy",
    "ScheduleKeyDeletion",
    "DeleteAlias",
  ];
  proxy.failFraction(1, { operations: everythingButCreate });
  const err = await create("alias/orphan");
  expect(err).toBeInstanceOf(Error);
  const leftBehind = (await liveKeys()).filter((k) => !before.includes(k));
  expect(leftBehind).toHaveLength(1);
  const [keyId] = leftBehind;
  expect((err as Error).message).toContain(
    `AWS KMS throttled the request: DescribeKey answered ThrottlingException on all ${KMS_THROTTLE_MAX_ATTEMPTS} attempts`,
  );
  expect((err as Error).message).toContain(
    `The key ${keyId} this create made could not be scheduled for deletion either (AWS KMS throttled the request`,
  );
  expect((err as Error).message).toContain(`Set adoptKeyId: "${keyId}" to take it over`);

  proxy.clear();
  const { inputs, failures } = await hooks.check({}, { alias: "alias/orphan", adoptKeyId: keyId });
  expect(failures).toEqual([]);
  const adopted = await hooks.create(inputs);
  expect(adopted.outs.keyId).toBe(keyId);
  expect((await liveKeys()).filter((k) => !before.includes(k))).toEqual([keyId]);
  // Adopting changes nothing in KMS; the next up applies what the inputs declare, the alias included.
  const { inputs: next } = await hooks.check(adopted.outs, { alias: "alias/orphan", adoptKeyId: keyId });
  expect((await hooks.diff(adopted.id, adopted.outs, next)).updates).toContain("alias");
  await hooks.update(adopted.id, adopted.outs, next);
  expect(await aliasTarget("alias/orphan")).toBe(keyId);
});
