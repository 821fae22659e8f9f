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
  /**
   * An observation already in hand (a create's response, a list read a moment ago): when it is done the wait
   * ends without a read, otherwise the first poll comes one interval later instead of at once, since what was
   * just seen pending is still pending.
   */
  initial?: T;
  /** Known to be pending right now (its create was just answered), though no observation is in hand: as `initial`. */
  justCreated?: boolean;
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
  /** The cap on one interval while the wait is young. */
  maxDelayMs: number;
  /** As the wait grows, the cap grows to this fraction of the time already waited ... */
  capFraction: number;
  /** ... but never beyond this. */
  capCeilingMs: number;
  factor: number;
  /** How often a progress line is written while waiting. */
  progressEveryMs: number;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  progress: (line: string) => void;
}

/**
 * Heroku's own clients poll every 5 s and herokux every 20 s (docs/heroku-api.md section 1.4, 4.2). We start at
 * 1 s, because many transitions finish within a second or two, double, and stop at a cap that grows with the wait.
 * The goal (issue 16) is a median notice delay of at most NOTICE_GOAL_MS or NOTICE_GOAL_FRACTION of the wait,
 * whichever is larger. A transition lands at a random point of the interval that covers it, so the median delay
 * is about half that interval: a 3.6 s cap keeps waits of up to half a minute under 2 s, and past 40 s a cap of 9%
 * of the time already waited keeps long ones under 5%, so a one-minute wait costs about 21 reads and a ten-minute
 * one about 47 instead of 200 (tests/unit/heroku/waiter-schedule.test.ts simulates both). The
 * ceiling keeps a stuck wait's progress lines and its timeout message close to the truth. Objects of one database
 * share one list read per round (heroku/shared-reads.ts); pacing slows everything when the account's budget runs
 * low.
 */
export const DEFAULT_WAIT_TUNING: WaitTuning = {
  initialDelayMs: 1000,
  maxDelayMs: 3600,
  capFraction: 0.09,
  capCeilingMs: 60_000,
  factor: 2,
  progressEveryMs: 30_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
  progress: (line) => process.stderr.write(`${line}\n`),
};

/** The notice-delay goal the default tuning is held to (tests/unit/heroku/waiter-schedule.test.ts). */
export const NOTICE_GOAL_MS = 2000;
export const NOTICE_GOAL_FRACTION = 0.05;

type Schedule = Pick<WaitTuning, "maxDelayMs" | "capFraction" | "capCeilingMs" | "factor">;

/** The cap on the next interval after `elapsedMs` of waiting. */
export function delayCap(elapsedMs: number, t: Schedule): number {
  return Math.min(t.capCeilingMs, Math.max(t.maxDelayMs, t.capFraction * elapsedMs));
}

/** The interval after `previousMs`, once `elapsedMs` have been waited: grows by `factor`, up to the cap. */
export function nextDelay(previousMs: number, elapsedMs: number, t: Schedule): number {
  return Math.min(delayCap(elapsedMs, t), previousMs * t.factor);
}

export class WaitTimeoutError extends ProviderError {
  override readonly name = "WaitTimeoutError";
}

/** Polls until done, a failure, or the deadline; the first poll is immediate unless `initial` is given. */
export async function waitFor<T>(spec: WaitSpec<T>, tuning: Partial<WaitTuning> = {}): Promise<T> {
  const t = { ...DEFAULT_WAIT_TUNING, ...tuning };
  const started = t.now();
  let delay = t.initialDelayMs;
  let lastProgress = started;
  if (spec.initial !== undefined || spec.justCreated) {
    if (spec.initial !== undefined) {
      const failure = spec.failure?.(spec.initial);
      if (failure) throw failure;
      if (spec.isDone(spec.initial)) return spec.initial;
    }
    await t.sleep(Math.min(delay, spec.timeoutMs));
    delay = nextDelay(delay, delay, t);
  }
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
    const sleep = Math.min(delay, Math.max(0, spec.timeoutMs - elapsed));
    await t.sleep(sleep);
    delay = nextDelay(delay, elapsed + sleep, t);
  }
}
