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
    [1_000, 3],
    [2_000, 3],
    [10_000, 6],
    [30_000, 13],
    [60_000, 21],
    [120_000, 29],
    [300_000, 39],
    [600_000, 47],
    [1_800_000, 71],
  ])("notices a wait of about %i ms within the goal, in at most %i reads", async (waitMs, maxReads) => {
    const r = await around(waitMs);
    expect(r.median).toBeLessThanOrEqual(Math.max(NOTICE_GOAL_MS, NOTICE_GOAL_FRACTION * waitMs));
    expect(r.reads).toBeLessThanOrEqual(maxReads);
  });

  it.each([
    // elapsed, cap
    [0, 3_600],
    [10_000, 3_600],
    [30_000, 3_600],
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
    [1_000, 1_000, 2_000],
    [2_000, 10_000, 3_600],
    [3_600, 20_000, 3_600],
    [6_000, 100_000, 9_000],
    [12_000, 100_000, 9_000],
  ])("after an interval of %i ms at %i ms waits %i ms", (previous, elapsed, next) => {
    expect(nextDelay(previous, elapsed, DEFAULT_WAIT_TUNING)).toBe(next);
  });
});

describe("an observation in hand (initial)", () => {
  const clock = () => {
    let now = 0;
    return {
      tuning: {
        now: () => now,
        sleep: async (ms: number) => {
          now += ms;
        },
        progress: () => undefined,
      },
      at: () => now,
    };
  };

  it("that is done ends the wait without a read", async () => {
    const c = clock();
    const poll = jest.fn(async () => "ready");
    const got = await waitFor(
      {
        what: "x",
        target: "ready",
        timeoutMs: 10_000,
        initial: "ready",
        poll,
        statusOf: (v) => v,
        isDone: (v) => v === "ready",
      },
      c.tuning,
    );
    expect(got).toBe("ready");
    expect(poll).not.toHaveBeenCalled();
  });

  it("that is pending puts the first read one interval later", async () => {
    const c = clock();
    const readsAt: number[] = [];
    await waitFor(
      {
        what: "x",
        target: "ready",
        timeoutMs: 10_000,
        initial: "pending",
        poll: async () => {
          readsAt.push(c.at());
          return readsAt.length === 2 ? "ready" : "pending";
        },
        statusOf: (v) => v,
        isDone: (v) => v === "ready",
      },
      c.tuning,
    );
    expect(readsAt).toEqual([DEFAULT_WAIT_TUNING.initialDelayMs, DEFAULT_WAIT_TUNING.initialDelayMs * 3]);
  });

  it("justCreated (pending, nothing in hand) also puts the first read one interval later", async () => {
    const c = clock();
    const readsAt: number[] = [];
    await waitFor(
      {
        what: "x",
        target: "ready",
        timeoutMs: 10_000,
        justCreated: true,
        poll: async () => {
          readsAt.push(c.at());
          return "ready";
        },
        statusOf: (v) => v,
        isDone: (v) => v === "ready",
      },
      c.tuning,
    );
    expect(readsAt).toEqual([DEFAULT_WAIT_TUNING.initialDelayMs]);
  });

  it("that shows a failure throws it at once", async () => {
    const c = clock();
    await expect(
      waitFor(
        {
          what: "x",
          target: "ready",
          timeoutMs: 10_000,
          initial: "failed",
          poll: async () => "ready",
          statusOf: (v) => v,
          isDone: (v) => v === "ready",
          failure: (v) => (v === "failed" ? new Error("it failed") : undefined),
        },
        c.tuning,
      ),
    ).rejects.toThrow("it failed");
  });
});
