import { isRecord } from "./equality";
import type { Failures } from "./check";
import { echo, isUnknown } from "./check";

/**
 * Per-resource wait limits. Pulumi's `customTimeouts` never reaches a dynamic provider
 * (README "Toolchain"), so each resource takes its own `timeouts` input with durations like "20m" or "1h30m".
 */
export interface Timeouts {
  create?: string;
  update?: string;
  delete?: string;
}

export type TimeoutOperation = keyof Timeouts;

/** The longest wait a duration may ask for; anything longer is almost certainly a typo. */
export const MAX_TIMEOUT_MS = 24 * 60 * 60 * 1000;

const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
const DURATION = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Parses "20m", "1h30m", "90s", "1500ms". Returns undefined when the text is not such a duration. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match || text.trim() === "") return undefined;
  const [, h, m, s, ms] = match;
  return (
    Number(h ?? 0) * (UNIT_MS.h ?? 0) +
    Number(m ?? 0) * (UNIT_MS.m ?? 0) +
    Number(s ?? 0) * (UNIT_MS.s ?? 0) +
    Number(ms ?? 0)
  );
}

/** "20m0s"-style text for error messages. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const totalSeconds = Math.round(ms / 1000);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  return `${h > 0 ? `${h}h` : ""}${h > 0 || m > 0 ? `${m}m` : ""}${s}s`;
}

export function checkTimeouts(failures: Failures, value: unknown): void {
  if (value === undefined || isUnknown(value)) return;
  if (!isRecord(value)) {
    failures.add("timeouts", 'timeouts must be an object like { create: "20m", update: "20m", delete: "10m" }');
    return;
  }
  for (const [key, text] of Object.entries(value)) {
    const property = `timeouts.${key}`;
    if (key !== "create" && key !== "update" && key !== "delete") {
      failures.add(property, `${property} is not a timeout; use create, update or delete`);
      continue;
    }
    if (text === undefined || isUnknown(text)) continue;
    const ms = typeof text === "string" ? parseDuration(text) : undefined;
    if (ms === undefined || ms <= 0 || ms > MAX_TIMEOUT_MS) {
      failures.add(
        property,
        `${property} must be a duration like "20m", "1h30m" or "90s", above zero and at most ${formatDuration(MAX_TIMEOUT_MS)}, got ${echo(text)}`,
      );
    }
  }
}

/** The wait limit for one operation: the resource's input if given, else the resource's default. */
export function timeoutMs(timeouts: Timeouts | undefined, op: TimeoutOperation, defaultMs: number): number {
  const text = timeouts?.[op];
  const ms = text === undefined ? undefined : parseDuration(text);
  return ms === undefined || ms <= 0 ? defaultMs : ms;
}
