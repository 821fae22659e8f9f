// Formatting shared by the sections of RESULTS.md: durations, ratios, verdicts, call routes and counts, and the
// notice-delay goal.
import { quantile, type Delays, type LoggedRequest, type NoticeDelay } from "./measure";

export const s = (msValue: number): string => `${(msValue / 1000).toFixed(1)} s`;
export const ratio = (x: number): string => x.toFixed(2);
export const verdict = (ok: boolean): string => (ok ? "meets goal" : "**misses goal**");
export const delayList = (d: Delays): string =>
  Object.entries(d)
    .map(([m, v]) => `${m} ${v / 1000} s`)
    .join(", ");

/**
 * A call's route with ids and names replaced, so that calls of one kind count together. A database is named by
 * its add-on name (herokux) or its id (this project) in the same route: both are `{addon}`.
 */
export function route(q: LoggedRequest): string {
  const addon = /\/(databases|addons)\/(?:[0-9a-f]{8}-[0-9a-f-]{27}|postgresql-(?:[a-z]+-\d+|[0-9a-f]{12}))/g;
  return `${q.method} ${q.path
    .replace(addon, "/$1/{addon}")
    .replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "{id}")
    .replace(/postgresql-(?:[a-z]+-\d+|[0-9a-f]{12})/g, "{addon}")
    .replace(/\/credentials\/[^/]+/g, "/credentials/{name}")}`;
}

export function countByRoute(reqs: LoggedRequest[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of reqs) counts.set(route(r), (counts.get(route(r)) ?? 0) + 1);
  return counts;
}

export function breakdown(reqs: LoggedRequest[]): string {
  return [...countByRoute(reqs).entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `| \`${k}\` | ${n} |`)
    .join("\n");
}

/**
 * The notice-delay goal of issue #16: the median at most 2 s or 5% of the wait, whichever is larger. The wait
 * is the median of the transitions' own waits, so a run of minutes-long waits may notice a little later.
 */
export function noticeSummary(notices: NoticeDelay[]): { median: number; worst: number; allowed: number } {
  const median = quantile(
    notices.map((n) => n.delayMs),
    0.5,
  );
  const wait = quantile(
    notices.map((n) => n.waitMs),
    0.5,
  );
  const worst = notices.length > 0 ? Math.max(...notices.map((n) => n.delayMs)) : NaN;
  return { median, worst, allowed: Math.max(2000, 0.05 * wait) };
}
