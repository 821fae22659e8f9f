// A Data API read must not report a database Available while its ALTER DATABASE ... ALLOW_CONNECTIONS is still
// being applied (emulator/domain/availability.ts settledRead). The cluster here is a fake whose ALTER finishes only
// when the test says so, so the order of events is exact.
import { acceptsConnections, applyAvailability, settledRead } from "../../../emulator/domain/availability";
import type { Core } from "../../../emulator/core";
import type { Addon } from "../../../emulator/store/types";

function fixture() {
  const addon = { state: "provisioned", db: { database: "d1" }, keyUnavailable: true } as unknown as Addon;
  const applied: boolean[] = [];
  let release: () => void = () => undefined;
  const admin = {
    setAllowConnections: async (_db: string, allow: boolean) => {
      await new Promise<void>((resolve) => (release = resolve));
      applied.push(allow);
    },
  };
  const core = {
    store: { state: { addons: [addon] } },
    clusters: { find: () => admin },
    track: <T>(p: Promise<T>) => p,
  } as unknown as Core;
  return { addon, core, applied, release: () => release() };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test("a read during which the key is enabled again waits for connections to be allowed and reads again", async () => {
  const f = fixture();
  let reads = 0;
  const read = settledRead(f.core, async () => {
    reads += 1;
    if (reads === 1) {
      // The key check flips the flag and schedules the ALTER while this read is under way.
      f.addon.keyUnavailable = false;
      void applyAvailability(f.core, f.addon);
    }
    await tick();
    // Without settledRead this would say "allowed" with nothing applied yet.
    return { allowed: acceptsConnections(f.addon), appliedThen: [...f.applied] };
  });
  await tick();
  await tick();
  expect(f.applied).toEqual([]);
  f.release();
  const answer = await read;
  expect(reads).toBe(2);
  expect(answer).toEqual({ allowed: true, appliedThen: [true] });
});

test("a read with no change under way reads once", async () => {
  const f = fixture();
  let reads = 0;
  const answer = await settledRead(f.core, async () => {
    reads += 1;
    return acceptsConnections(f.addon);
  });
  expect(answer).toBe(false);
  expect(reads).toBe(1);
});
