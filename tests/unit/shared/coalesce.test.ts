import { Coalescer } from "../../../provider/shared/coalesce";

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

test("callers within freshMs share one read; a later caller starts a new one", async () => {
  const c = clock();
  const shared = new Coalescer<number>(500, c.now);
  let reads = 0;
  const read = async (): Promise<number> => ++reads;
  const [a, b] = await Promise.all([shared.get("k", read), shared.get("k", read)]);
  expect([a, b]).toEqual([1, 1]);
  c.advance(500);
  expect(await shared.get("k", read)).toBe(1);
  c.advance(1);
  expect(await shared.get("k", read)).toBe(2);
  expect(await shared.get("other", read)).toBe(3);
  expect(reads).toBe(3);
});

test("a failed read is not handed to later callers, and forget() forces a new read", async () => {
  const c = clock();
  const shared = new Coalescer<string>(10_000, c.now);
  await expect(shared.get("k", () => Promise.reject(new Error("503")))).rejects.toThrow("503");
  await new Promise((r) => setImmediate(r));
  expect(await shared.get("k", async () => "fresh")).toBe("fresh");
  expect(await shared.get("k", async () => "not read")).toBe("fresh");
  shared.forget("k");
  expect(await shared.get("k", async () => "after forget")).toBe("after forget");
});

test("refresh: callers missing from the same stale answer share one new read; a newer answer is reused", async () => {
  const c = clock();
  const shared = new Coalescer<number>(10_000, c.now);
  let reads = 0;
  const read = async (): Promise<number> => ++reads;
  const stale = shared.get("k", read);
  expect(await stale).toBe(1);
  const [a, b] = await Promise.all([shared.refresh("k", stale, read), shared.refresh("k", stale, read)]);
  expect([a, b]).toEqual([2, 2]);
  expect(await shared.get("k", read)).toBe(2);
  expect(reads).toBe(2);
});

test("getAfter: only a read started after the mark is shared; callers with older marks share the newer read", async () => {
  const c = clock();
  const shared = new Coalescer<number>(10_000, c.now);
  let reads = 0;
  const read = async (): Promise<number> => ++reads;
  expect(await shared.get("k", read)).toBe(1);
  const first = shared.mark(); // same millisecond as the read before it: the order still tells them apart
  expect(await shared.getAfter("k", first, read)).toBe(2);
  const second = shared.mark();
  const [a, b] = await Promise.all([shared.getAfter("k", second, read), shared.getAfter("k", first, read)]);
  expect([a, b]).toEqual([3, 3]);
  expect(await shared.get("k", read)).toBe(3);
  c.advance(10_001);
  expect(await shared.getAfter("k", first, read)).toBe(4); // newer than the mark, but no longer fresh
  expect(reads).toBe(4);
});
