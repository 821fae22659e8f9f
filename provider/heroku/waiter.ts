import { ProviderError } from "../shared/errors";
import { formatDuration } from "../shared/timeouts";

export interface WaitSpec<T> {
  /** What is being waited for, for messages: `add-on postgresql-x on app acme-api`. */
  what: string;
  /** The status wanted, for messages: `provisioned`. */
  target: string;
  timeoutMs: number;
  /**
   * When the operation's clock started (epoch ms), if before this wait: earlier calls and waits of the same
   * operation share its timeout, so the timeout message counts from here. Default: the start of this wait.
   */
  startedAt?: number;
  poll: () => Promise<T>;
  /** The status text of one observation, shown in progress and timeout messages. */
  statusOf: (value: T) => string;
  isDone: (value: T) => boolean;
  /** An error when the observation shows the wait can never succeed (a failed provisioning). */
  failure?: (value: T) => Error | undefined;
  /**
   * What to do after a timeout, appended to the message. Default: raise the resource's timeout.
   * Example: `set timeouts.create to a longer duration, or adopt the add-on with adoptAddonId: "..."`.
   */
  hint?: string;
}

export interface WaitTuning {
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
  /** How often a progress line is written while waiting. */
  progressEveryMs: number;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  progress: (line: string) => void;
}

/**
 * Heroku's own clients poll every 5 s (docs/heroku-api.md section 4.2). We start faster, because many transitions
 * finish within a second or two, and back off to a cap. The cap is 3 s, not 5: a change lands at a random point
 * of an interval, so the median notice delay of a long wait is half the cap, and the goal is at most 2 s (issue
 * 7). What that costs stays small: one read per 3 s per waiting object, and rules and credentials of one
 * database share one list read per round (heroku/shared-reads.ts); pacing slows everything when the account's
 * budget runs low.
 */
export const DEFAULT_WAIT_TUNING: WaitTuning = {
  initialDelayMs: 250,
  maxDelayMs: 3000,
  factor: 1.5,
  progressEveryMs: 30_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
  progress: (line) => process.stderr.write(`${line}\n`),
};

export class WaitTimeoutError extends ProviderError {
  override readonly name = "WaitTimeoutError";
}

/** Polls until done, a failure, or the deadline; the first poll is immediate. */
export async function waitFor<T>(spec: WaitSpec<T>, tuning: Partial<WaitTuning> = {}): Promise<T> {
  const t = { ...DEFAULT_WAIT_TUNING, ...tuning };
  const started = t.now();
  let delay = t.initialDelayMs;
  let lastProgress = started;
  for (;;) {
    const value = await spec.poll();
    const failure = spec.failure?.(value);
    if (failure) throw failure;
    if (spec.isDone(value)) return value;
    const now = t.now();
    const elapsed = now - started;
    const status = spec.statusOf(value);
    if (elapsed >= spec.timeoutMs) {
      throw new WaitTimeoutError(
        `Timed out after ${formatDuration(now - Math.min(started, spec.startedAt ?? started))} waiting for ${spec.what} to become ${spec.target}: it is still ${JSON.stringify(status)}. ` +
          (spec.hint ?? "Raise the resource's timeouts input and run again."),
      );
    }
    if (now - lastProgress >= t.progressEveryMs) {
      t.progress(
        `still waiting for ${spec.what} to become ${spec.target} (now ${JSON.stringify(status)}, ${formatDuration(elapsed)} so far)`,
      );
      lastProgress = now;
    }
    await t.sleep(Math.min(delay, Math.max(0, spec.timeoutMs - elapsed)));
    delay = Math.min(t.maxDelayMs, delay * t.factor);
  }
}
