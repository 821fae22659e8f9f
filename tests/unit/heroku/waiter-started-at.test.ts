// A wait that is the last part of a longer operation (mTLS: the POST took most of the timeout) must report the
// operation's whole wait, not only its own share (found by tests/e2e/faults.test.ts: "Timed out after 4ms").
import { waitFor, WaitTimeoutError } from "../../../provider/heroku/waiter";

function stuckAt(now: { t: number }, startedAt?: number) {
  return waitFor(
    {
      what: "mTLS on database db",
      target: "Operational",
      timeoutMs: 4,
      startedAt,
      poll: async () => "Provisioning",
      statusOf: (s) => s,
      isDone: () => false,
    },
    {
      now: () => now.t,
      sleep: async (ms: number) => {
        now.t += ms;
      },
      progress: () => undefined,
    },
  ).catch((e: unknown) => e);
}

describe("waitFor startedAt", () => {
  it("counts the timeout message from the operation's start", async () => {
    const now = { t: 10_000 };
    const err = await stuckAt(now, 5_000);
    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect((err as Error).message).toMatch(
      /^Timed out after 5s waiting for mTLS on database db to become Operational: it is still "Provisioning"\./,
    );
  });

  it("without startedAt, counts from the start of the wait", async () => {
    const err = await stuckAt({ t: 10_000 });
    expect((err as Error).message).toMatch(/^Timed out after 4ms waiting/);
  });
});
