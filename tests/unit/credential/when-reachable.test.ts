import {
  CONNECTION_SETTLE_MS,
  ConnectionFailedError,
  NoReadyCertificateError,
  UnverifiedServerError,
  whenReachable,
} from "../../../provider/credential/sql";
import { WaitTimeoutError } from "../../../provider/heroku/waiter";

/**
 * whenReachable from tables, on an injected clock: each round reads what is pending (P: a reason; "-" nothing),
 * and only when nothing is pending tries the connection (ok, refused, no-cert, unverified, sql).
 */
type Step = { pending: string } | { attempt: "ok" | "refused" | "no-cert" | "unverified" | "sql" };

async function run(steps: Step[], timeoutMs = 30 * 60_000) {
  let now = 0;
  const attempts: number[] = [];
  const script = [...steps];
  const next = (): Step => {
    const s = script.shift();
    if (!s) throw new Error("the script ran out");
    return s;
  };
  let queued: Step | undefined;
  const pending = async (): Promise<string | undefined> => {
    const s = next();
    if ("pending" in s) return s.pending;
    queued = s;
    return undefined;
  };
  const attempt = async (): Promise<string> => {
    attempts.push(now);
    const s = queued as { attempt: string };
    switch (s.attempt) {
      case "ok":
        return "granted";
      case "refused":
        throw new ConnectionFailedError("could not connect ... over mTLS (is the address running pulumi allowlisted?)");
      case "no-cert":
        throw new NoReadyCertificateError("database d has mTLS on but no ready client certificate to connect with");
      case "unverified":
        throw new UnverifiedServerError("the server could not be verified");
      default:
        throw new Error("permission denied for schema public");
    }
  };
  const outcome = await whenReachable(
    "database d",
    attempt,
    pending,
    { timeoutMs },
    {
      now: () => now,
      sleep: async (ms) => {
        now += ms;
      },
      progress: () => undefined,
    },
  ).then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  return { outcome, attempts: attempts.length, elapsed: now };
}

const P = (pending: string): Step => ({ pending });
const A = (attempt: "ok" | "refused" | "no-cert" | "unverified" | "sql"): Step => ({ attempt });

describe("whenReachable", () => {
  it("connects at once when nothing is pending, trying once", async () => {
    const r = await run([A("ok")]);
    expect(r.outcome).toEqual({ value: "granted" });
    expect(r.attempts).toBe(1);
    expect(r.elapsed).toBe(0);
  });

  it("never tries while mTLS provisions or a rule authorizes, then connects", async () => {
    const r = await run([
      P("mTLS Provisioning"),
      P("mTLS Provisioning"),
      P("IP rule 127.0.0.1/32 Authorizing"),
      A("ok"),
    ]);
    expect(r.outcome).toEqual({ value: "granted" });
    expect(r.attempts).toBe(1);
  });

  it.each([
    ["a refused connection", "refused"],
    ["no ready certificate yet", "no-cert"],
  ] as const)("retries %s while it settles, and connects once the block is allowed", async (_label, failure) => {
    const r = await run([A(failure), P("IP rule 127.0.0.1/32 Authorizing"), A(failure), A("ok")]);
    expect(r.outcome).toEqual({ value: "granted" });
    expect(r.attempts).toBe(3);
  });

  it(`gives up once connections were refused for ${CONNECTION_SETTLE_MS} ms with nothing pending`, async () => {
    const steps = Array.from({ length: 200 }, () => A("refused"));
    const r = await run(steps);
    expect((r.outcome as { error: Error }).error).toBeInstanceOf(ConnectionFailedError);
    expect((r.outcome as { error: Error }).error.message).toMatch(/is the address running pulumi allowlisted/);
    expect(r.elapsed).toBeGreaterThanOrEqual(CONNECTION_SETTLE_MS);
    expect(r.elapsed).toBeLessThan(CONNECTION_SETTLE_MS + 10_000);
  });

  it("a pending change restarts the settle clock", async () => {
    // refused for a while, then a rule authorizing (the allowlist posted), then refused again: the clock restarts
    const before = Array.from({ length: 16 }, () => A("refused"));
    const after = Array.from({ length: 8 }, () => A("refused"));
    const r = await run([...before, P("IP rule 10.0.0.0/8 Authorizing"), ...after, A("ok")]);
    expect(r.outcome).toEqual({ value: "granted" });
    expect(r.elapsed).toBeGreaterThan(CONNECTION_SETTLE_MS);
    // Without the pending round the same refusals outlast the settle window.
    const settled = await run([...before, ...after, A("ok")]);
    expect((settled.outcome as { error: Error }).error).toBeInstanceOf(ConnectionFailedError);
  });

  it.each([
    ["an unverified server", "unverified", UnverifiedServerError],
    ["a failing statement", "sql", Error],
  ] as const)("never retries %s", async (_label, failure, type) => {
    const r = await run([A(failure), A("ok")]);
    expect((r.outcome as { error: Error }).error).toBeInstanceOf(type);
    expect(r.attempts).toBe(1);
  });

  it("ends at the deadline while something stays pending, saying what it waited for", async () => {
    const steps = Array.from({ length: 500 }, () => P("mTLS Provisioning"));
    const r = await run(steps, 60_000);
    const error = (r.outcome as { error: Error }).error;
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(error.message).toMatch(
      /waiting for a connection to database d as the default credential to become possible: it is still "mTLS Provisioning"/,
    );
    expect(r.attempts).toBe(0);
  });
});
