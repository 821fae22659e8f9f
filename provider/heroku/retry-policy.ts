/** Pure pieces of the retry behaviour, so they can be tested from tables. */

export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * Capped exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * a random delay in [base, min(max, base * 2^attempt)]. `attempt` counts from 0.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** attempt);
  return Math.round(opts.baseDelayMs + random() * Math.max(0, ceiling - opts.baseDelayMs));
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | undefined, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Statuses that say "try again later" without the request having had any effect we could duplicate. */
export function isTransientStatus(status: number): boolean {
  return status === 500 || status === 502 || status === 503 || status === 504;
}

const NETWORK_FAILURES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ERR_NETWORK",
]);

/** Failures of the connection (worth another try), as opposed to a bad request that will never work. */
export function isNetworkFailure(code: string | undefined): boolean {
  return code !== undefined && NETWORK_FAILURES.has(code);
}

/** Network failures where the request surely never reached the server, so even a create may be repeated. */
export function neverSent(code: string | undefined): boolean {
  return code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN";
}

/**
 * Heroku refills about 75 requests a minute into a bucket of about 4,500 (docs/heroku-api.md section 5). Below the
 * low-water mark we pace requests at the refill rate, and slower still as the bucket empties, instead of running
 * into 429s.
 */
export const RATE_LIMIT_LOW_WATER = 100;
export const REFILL_INTERVAL_MS = Math.ceil(60_000 / 75);

export function pacingDelay(remaining: number | undefined, lowWater: number = RATE_LIMIT_LOW_WATER): number {
  if (remaining === undefined || remaining >= lowWater) return 0;
  const emptiness = 1 - Math.max(0, remaining) / lowWater;
  return Math.round(REFILL_INTERVAL_MS * (1 + emptiness));
}
