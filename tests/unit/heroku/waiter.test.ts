import { waitFor, WaitTimeoutError } from "../../../provider/heroku/waiter";

/** A fake clock: sleeping advances it. */
function clock() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    tuning: {
      now: () => now,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        now += ms;
      },
      progress: () => undefined,
    },
  };
}

describe("waitFor", () => {
  it("polls at once, then with growing, capped delays, until done", async () => {
    const states = ["provisioning", "provisioning", "provisioning", "provisioning", "provisioning", "provisioned"];
    const c = clock();
    const result = await waitFor(
      {
        what: "add-on db",
        target: "provisioned",
        timeoutMs: 60_000,
        poll: async () => states.shift() ?? "?",
        statusOf: (s) => s,
        isDone: (s) => s === "provisioned",
      },
      { ...c.tuning, initialDelayMs: 500, maxDelayMs: 1500, factor: 2 },
    );
    expect(result).toBe("provisioned");
    expect(c.sleeps).toEqual([500, 1000, 1500, 1500, 1500]);
  });

  it("times out naming the resource, the status it was stuck in and how long it waited", async () => {
    const c = clock();
    const err = await waitFor(
      {
        what: "add-on db on app acme-api",
        target: "provisioned",
        timeoutMs: 10_000,
        poll: async () => "provisioning",
        statusOf: (s) => s,
        isDone: () => false,
        hint: "Raise timeouts.create.",
      },
      c.tuning,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect((err as Error).message).toBe(
      'Timed out after 10s waiting for add-on db on app acme-api to become provisioned: it is still "provisioning". Raise timeouts.create.',
    );
    expect(c.sleeps.reduce((a, b) => a + b, 0)).toBe(10_000);
  });

  it("stops at once on a failure", async () => {
    const c = clock();
    await expect(
      waitFor(
        {
          what: "x",
          target: "y",
          timeoutMs: 1000,
          poll: async () => "deprovisioned",
          statusOf: (s) => s,
          isDone: () => false,
          failure: () => new Error("boom"),
        },
        c.tuning,
      ),
    ).rejects.toThrow("boom");
    expect(c.sleeps).toEqual([]);
  });

  it("reports progress while waiting long", async () => {
    const c = clock();
    const lines: string[] = [];
    let polls = 0;
    await waitFor(
      {
        what: "db",
        target: "ready",
        timeoutMs: 600_000,
        poll: async () => ++polls,
        statusOf: () => "busy",
        isDone: (n) => n > 30,
      },
      { ...c.tuning, progress: (l) => lines.push(l), progressEveryMs: 30_000 },
    );
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatch(/^still waiting for db to become ready \(now "busy", \d+s so far\)$/);
  });
});
