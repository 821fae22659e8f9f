import {
  DEFAULT_WAIT_TUNING,
  delayCap,
  nextDelay,
  NOTICE_GOAL_FRACTION,
  NOTICE_GOAL_MS,
  waitFor,
} from "../../../provider/heroku/waiter";

/**
 * The default poll schedule, driven by an injected clock: a wait whose object changes at `transitionMs` is
 * noticed by the first poll at or after it. For waits of about W (transitions spread over W +/- 20%, where a real
 * transition lands), the median notice delay must meet the goal and the number of reads stay small.
 */
async function simulate(transitionMs: number): Promise<{ delayMs: number; reads: number }> {
  let now = 0;
  let reads = 0;
  await waitFor(
    {
      what: "x",
      target: "done",
      timeoutMs: 60 * 60_000,
      poll: async () => {
        reads++;
        return now;
      },
      statusOf: () => "pending",
      isDone: (at) => at >= transitionMs,
    },
    {
      now: () => now,
      sleep: async (ms) => {
        now += ms;
      },
      progress: () => undefined,
    },
  );
  return { delayMs: now - transitionMs, reads };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function around(waitMs: number): Promise<{ median: number; reads: number }> {
  const samples = 201;
  const runs = await Promise.all(
    Array.from({ length: samples }, (_, i) => simulate(waitMs * (0.8 + (0.4 * i) / (samples - 1)))),
  );
  return { median: median(runs.map((r) => r.delayMs)), reads: Math.max(...runs.map((r) => r.reads)) };
}

describe("the default poll schedule", () => {
  // wait, the most reads any wait of about that length makes (W +20%)
  it.each([
    [1_000, 5],
    [2_000, 6],
    [10_000, 10],
    [30_000, 18],
    [60_000, 26],
    [120_000, 34],
    [300_000, 45],
    [600_000, 53],
    [1_800_000, 77],
  ])("notices a wait of about %i ms within the goal, in at most %i reads", async (waitMs, maxReads) => {
    const r = await around(waitMs);
    expect(r.median).toBeLessThanOrEqual(Math.max(NOTICE_GOAL_MS, NOTICE_GOAL_FRACTION * waitMs));
    expect(r.reads).toBeLessThanOrEqual(maxReads);
  });

  it.each([
    // elapsed, cap
    [0, 3_000],
    [10_000, 3_000],
    [30_000, 3_000],
    [60_000, 5_400],
    [300_000, 27_000],
    [600_000, 54_000],
    [700_000, 60_000],
    [3_600_000, 60_000],
  ])("after %i ms of waiting caps one interval at %i ms", (elapsed, cap) => {
    expect(delayCap(elapsed, DEFAULT_WAIT_TUNING)).toBe(cap);
  });

  it.each([
    // previous, elapsed, next
    [250, 250, 375],
    [2_000, 10_000, 3_000],
    [3_000, 20_000, 3_000],
    [6_000, 100_000, 9_000],
    [12_000, 100_000, 9_000],
  ])("after an interval of %i ms at %i ms waits %i ms", (previous, elapsed, next) => {
    expect(nextDelay(previous, elapsed, DEFAULT_WAIT_TUNING)).toBe(next);
  });
});
