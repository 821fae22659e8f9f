import { invalid } from "../errors";

/** What a fault answers instead of the real reply: an HTTP status, or a connection closed without an answer. */
export type FaultAnswer = number | "drop";

/**
 * A fault injected by a test through POST /__emulator/faults. It matches by method and path; of the matching
 * requests it fires on a `rate` fraction (drawn from its own seeded generator, so a run that makes the same
 * requests in the same order sees the same faults), at most `times` times, then is gone.
 */
export interface Fault {
  method?: string;
  path: RegExp;
  /** One is drawn per firing when there are several. */
  answers: FaultAnswer[];
  retryAfter?: number;
  /** 1 fires on every matching request. */
  rate: number;
  seed?: number;
  /**
   * Handle the request first and answer the fault instead of the reply: the change is made, but the client
   * cannot tell (a "lost answer", as when a proxy times out after the backend has committed).
   */
  after: boolean;
  /** Firings left; Infinity for a probabilistic fault with no limit. */
  times: number;
  fired: number;
  /** Uniform in [0, 1), from the fault's seed. */
  random: () => number;
}

/** The fault as GET /__emulator/faults shows it (`times: null` = no limit). */
export interface FaultView {
  method?: string;
  path: string;
  answers: FaultAnswer[];
  retryAfter?: number;
  rate: number;
  seed?: number;
  after: boolean;
  times: number | null;
  fired: number;
}

// A 429 says the request was refused before any work, so a client may repeat even a create; answering it after
// the work was done would make the emulator lie in a way Heroku does not, and "prove" duplicates that cannot happen.
const REFUSED_BEFORE_WORK = 429;
const DEFAULT_SEED = 1;

/**
 * Reads the body of POST /__emulator/faults. The answer is `status`, `drop: true`, or `statuses` (numbers and
 * "drop") to draw from; `rate` (0 < rate <= 1) makes the fault probabilistic, and then it has no `times` limit
 * unless one is given; otherwise `times` defaults to 1.
 */
export function parseFault(body: Record<string, unknown>): Fault {
  if (typeof body.path !== "string") throw invalid("path (a regular expression) is required.");
  let path: RegExp;
  try {
    path = new RegExp(body.path);
  } catch {
    throw invalid(`path is not a valid regular expression: ${body.path}`);
  }
  const answers = parseAnswers(body);
  const rate = body.rate === undefined ? 1 : body.rate;
  if (typeof rate !== "number" || !(rate > 0 && rate <= 1))
    throw invalid("rate must be a number above 0 and at most 1.");
  if (body.seed !== undefined && !Number.isInteger(body.seed)) throw invalid("seed must be an integer.");
  const seed = body.seed as number | undefined;
  const after = body.after === true;
  if (after && answers.includes(REFUSED_BEFORE_WORK)) {
    throw invalid("after: true cannot answer 429: a 429 tells the client nothing was done.");
  }
  const times = parseTimes(body.times, rate < 1);
  return {
    path,
    answers,
    rate,
    after,
    times,
    fired: 0,
    random: seededRandom(seed ?? DEFAULT_SEED),
    ...(typeof body.method === "string" ? { method: body.method.toUpperCase() } : {}),
    ...(typeof body.retryAfter === "number" ? { retryAfter: body.retryAfter } : {}),
    ...(seed !== undefined ? { seed } : {}),
  };
}

function parseAnswers(body: Record<string, unknown>): FaultAnswer[] {
  if (body.statuses !== undefined) {
    const list = body.statuses;
    const valid = Array.isArray(list) && list.length > 0 && list.every((a) => a === "drop" || isErrorStatus(a));
    if (!valid) throw invalid('statuses must be a non-empty list of error statuses (400-599) and "drop".');
    return list as FaultAnswer[];
  }
  if (body.drop === true) return ["drop"];
  if (isErrorStatus(body.status)) return [body.status];
  throw invalid("A fault needs a status (400-599), drop: true, or statuses.");
}

function isErrorStatus(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 400 && (value as number) <= 599;
}

function parseTimes(times: unknown, probabilistic: boolean): number {
  if (times === undefined) return probabilistic ? Infinity : 1;
  if (!Number.isInteger(times) || (times as number) < 1) throw invalid("times must be a whole number of at least 1.");
  return times as number;
}

/**
 * Marsaglia's xorshift32: small, fast, and good enough to pick which requests fail. The seed is mixed first so
 * that nearby seeds (1, 2, 3) do not start alike; a mixed 0 would stay 0 forever, so it is replaced.
 */
export function seededRandom(seed: number): () => number {
  let x = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) >>> 0 || 0x2545f491;
  const next = (): number => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
  for (let i = 0; i < WARM_UP_DRAWS; i++) next();
  return next;
}

// The first few outputs of xorshift still show the seed's bit pattern; they are thrown away.
const WARM_UP_DRAWS = 16;

export class Faults {
  private faults: Fault[] = [];

  add(f: Fault): void {
    this.faults.push(f);
  }

  clear(): void {
    this.faults = [];
  }

  /**
   * The fault that fires on this request, with one use spent, and the answer it gives. Matching faults are tried
   * in the order they were added; one that draws "not this time" lets the next one try.
   */
  take(method: string, path: string): { fault: Fault; answer: FaultAnswer } | undefined {
    for (const f of this.faults) {
      if ((f.method && f.method !== method) || !f.path.test(path)) continue;
      if (f.rate < 1 && f.random() >= f.rate) continue;
      f.times -= 1;
      f.fired += 1;
      if (f.times <= 0) this.faults = this.faults.filter((x) => x !== f);
      const answer = f.answers.length === 1 ? f.answers[0] : f.answers[Math.floor(f.random() * f.answers.length)];
      return { fault: f, answer: answer ?? "drop" };
    }
    return undefined;
  }

  list(): FaultView[] {
    return this.faults.map(({ random: _random, path, times, ...rest }) => ({
      ...rest,
      path: path.source,
      times: Number.isFinite(times) ? times : null,
    }));
  }
}

export interface LoggedRequest {
  method: string;
  path: string;
  /** What the client got; 0 when a fault dropped the connection. */
  status: number;
  /** Only for an `after` fault: the status of the reply the emulator made and then withheld. */
  handled?: number;
  /** When the answer left. */
  at: string;
  /** When the request arrived: what a client's pacing controls, whatever the handling took. */
  receivedAt?: string;
}
