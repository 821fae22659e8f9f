import axios, { type AxiosInstance, type AxiosResponse } from "axios";
import { ProviderError, redactSecrets } from "../shared/errors";
import { apiKey, dataApiUrl, platformApiUrl } from "./env";
import { AmbiguousRequestError, type ApiName, HerokuApiError, RetriesExhaustedError } from "./errors";
import {
  backoffDelay,
  isNetworkFailure,
  isTransientStatus,
  neverSent,
  pacingDelay,
  parseRetryAfter,
} from "./retry-policy";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RequestSpec {
  api: "platform" | "data";
  method: Method;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * Whether repeating the call is harmless. Defaults to true for everything but POST. A non-idempotent call that
   * fails ambiguously throws AmbiguousRequestError instead of being repeated.
   */
  idempotent?: boolean;
}

export interface ClientOptions {
  /** Attempts after the first one, for 429, transient 5xx and network errors. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest Retry-After we honour; a longer one is treated as this. */
  maxRetryAfterMs: number;
  requestTimeoutMs: number;
  /** Pages followed through Next-Range before giving up (a loop guard). */
  maxPages: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  now: () => number;
}

export const DEFAULT_CLIENT_OPTIONS: ClientOptions = {
  maxRetries: 5,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 120_000,
  requestTimeoutMs: 60_000,
  maxPages: 100,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
  now: Date.now,
};

// docs/heroku-api.md section 0: every call, Data API included, names the API version.
const ACCEPT = "application/vnd.heroku+json; version=3";

/**
 * One client for the Platform and Data APIs. URLs and the token are read from the environment on every call.
 * Retries 429 (honouring Retry-After) and, for idempotent calls, transient 5xx and network errors; paces itself
 * when RateLimit-Remaining runs low; follows Next-Range pagination on 206.
 */
export class HerokuClient {
  private readonly options: ClientOptions;
  private readonly http: AxiosInstance;
  private rateLimitRemaining: number | undefined;
  /** When the latest request was sent or is booked to be sent (pace()). */
  private lastSendAt = Number.NEGATIVE_INFINITY;

  constructor(options: Partial<ClientOptions> = {}) {
    this.options = { ...DEFAULT_CLIENT_OPTIONS, ...options };
    this.http = axios.create({
      timeout: this.options.requestTimeoutMs,
      validateStatus: () => true,
      responseType: "text",
      transformResponse: [(data: unknown) => data],
      maxRedirects: 0,
    });
  }

  async get<T>(api: RequestSpec["api"], path: string, headers?: Record<string, string>): Promise<T> {
    return (await this.request<T>({ api, method: "GET", path, headers })).data;
  }

  /** GET of a list, following Next-Range (docs/heroku-api.md section 5, "Pagination") until the last page. */
  async list<T>(api: RequestSpec["api"], path: string): Promise<T[]> {
    const items: T[] = [];
    let range: string | undefined;
    for (let page = 0; page < this.options.maxPages; page++) {
      const res = await this.request<T[]>({ api, method: "GET", path, headers: range ? { Range: range } : {} });
      if (!Array.isArray(res.data)) {
        throw new HerokuApiError(
          apiName(api),
          "GET",
          path,
          res.status,
          "unexpected_body",
          "expected a JSON list",
          res.requestId,
        );
      }
      items.push(...res.data);
      range = res.status === 206 ? res.headers["next-range"] : undefined;
      if (!range) return items;
    }
    throw new RetriesExhaustedError(
      `Heroku ${apiName(api)} API GET ${path} still had more pages after ${this.options.maxPages}; the list is larger than this client reads`,
    );
  }

  async request<T>(
    spec: RequestSpec,
  ): Promise<{ status: number; data: T; headers: Record<string, string>; requestId?: string }> {
    const idempotent = spec.idempotent ?? spec.method !== "POST";
    const label = `Heroku ${apiName(spec.api)} API ${spec.method} ${spec.path}`;
    const token = apiKey();
    let lastProblem = "";
    for (let attempt = 0; attempt <= this.options.maxRetries; attempt++) {
      await this.pace();
      let res: AxiosResponse<string>;
      try {
        res = await this.send(spec, token);
      } catch (err) {
        const code = networkCode(err);
        if (!isNetworkFailure(code)) {
          throw new ProviderError(
            `${label} could not be sent: ${redactSecrets(err instanceof Error ? err.message : String(err))}`,
          );
        }
        lastProblem = `network error ${code ?? "unknown"}`;
        if (!idempotent && !neverSent(code)) {
          throw new AmbiguousRequestError(
            `${label} failed with ${lastProblem} after the request may have reached Heroku; it is unknown whether it took effect`,
          );
        }
        await this.options.sleep(backoffDelay(attempt, this.options, this.options.random));
        continue;
      }
      const headers = lowerCaseHeaders(res.headers);
      this.noteRateLimit(headers["ratelimit-remaining"]);
      const requestId = headers["request-id"];
      if (res.status >= 200 && res.status < 300) {
        return { status: res.status, data: parseBody(res.data) as T, headers, requestId };
      }
      const apiError = toApiError(spec, res.status, res.data, requestId);
      if (res.status === 429) {
        // A 429 is refused before any work is done, so even a create may be repeated.
        lastProblem = `429 ${apiError.herokuMessage}`;
        const retryAfter = parseRetryAfter(headers["retry-after"]);
        const wait =
          retryAfter === undefined
            ? backoffDelay(attempt, this.options, this.options.random)
            : Math.min(retryAfter, this.options.maxRetryAfterMs);
        if (attempt < this.options.maxRetries) await this.options.sleep(wait);
        continue;
      }
      if (isTransientStatus(res.status)) {
        lastProblem = `${res.status} ${apiError.herokuMessage}`;
        if (!idempotent) {
          throw new AmbiguousRequestError(
            `${label} answered ${res.status} (${apiError.herokuMessage}); it is unknown whether it took effect`,
          );
        }
        if (attempt < this.options.maxRetries) {
          await this.options.sleep(backoffDelay(attempt, this.options, this.options.random));
        }
        continue;
      }
      throw apiError;
    }
    throw new RetriesExhaustedError(
      redactSecrets(
        `${label} still failed after ${this.options.maxRetries + 1} attempts (last: ${lastProblem}). ` +
          "Heroku is rate limiting this account or is degraded (https://status.heroku.com); wait a few minutes and run the command again",
      ),
    );
  }

  private send(spec: RequestSpec, token: string): Promise<AxiosResponse<string>> {
    const base = spec.api === "platform" ? platformApiUrl() : dataApiUrl();
    // docs/heroku-api.md section 0: Bearer for the Platform API; the Data API clients use Basic with an empty user.
    const authorization =
      spec.api === "platform" ? `Bearer ${token}` : `Basic ${Buffer.from(`:${token}`).toString("base64")}`;
    return this.http.request<string>({
      url: base + spec.path,
      method: spec.method,
      data: spec.body === undefined ? undefined : JSON.stringify(spec.body),
      headers: {
        Accept: ACCEPT,
        Authorization: authorization,
        "User-Agent": "heroku-pg-secure",
        ...(spec.body === undefined ? {} : { "Content-Type": "application/json" }),
        ...spec.headers,
      },
    });
  }

  private noteRateLimit(header: string | undefined): void {
    if (header === undefined) return;
    const remaining = Number(header);
    if (Number.isFinite(remaining)) this.rateLimitRemaining = remaining;
  }

  /**
   * Every resource of the provider process shares this client, so pacing books send times one delay apart
   * across all of them; a delay per call would let ten parallel resources spend the bucket ten times as fast.
   * The slot is booked before sleeping, so concurrent callers queue behind each other.
   */
  private async pace(): Promise<void> {
    const delay = pacingDelay(this.rateLimitRemaining);
    const now = this.options.now();
    const sendAt = Math.max(now, this.lastSendAt + delay);
    this.lastSendAt = sendAt;
    if (sendAt > now) await this.options.sleep(sendAt - now);
  }
}

function apiName(api: RequestSpec["api"]): ApiName {
  return api === "platform" ? "Platform" : "Data";
}

function parseBody(text: string | undefined): unknown {
  if (text === undefined || text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function toApiError(
  spec: RequestSpec,
  status: number,
  text: string | undefined,
  requestId: string | undefined,
): HerokuApiError {
  const body = parseBody(text);
  let errorId = status === 404 ? "not_found" : `http_${status}`;
  let message = "no error message";
  if (body !== null && typeof body === "object" && !Array.isArray(body)) {
    const record = body as Record<string, unknown>;
    if (typeof record.id === "string") errorId = record.id;
    if (typeof record.message === "string") message = record.message;
  } else if (typeof body === "string" && body.trim() !== "") {
    // The Data API answers route misses with HTML (docs/heroku-api.md section 5): keep the text, not the markup.
    message = body
      .replace(/<[^>]*>/g, " ")
      .replace(/\s+/g, " ")
      .trim()
      .slice(0, 200);
  }
  return new HerokuApiError(apiName(spec.api), spec.method, spec.path, status, errorId, message, requestId);
}

function lowerCaseHeaders(headers: AxiosResponse["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (typeof value === "string") out[key.toLowerCase()] = value;
    else if (Array.isArray(value)) out[key.toLowerCase()] = value.join(", ");
    else if (typeof value === "number") out[key.toLowerCase()] = String(value);
  }
  return out;
}

// Only the error code leaves this function: axios errors carry the request config, Authorization header included.
function networkCode(err: unknown): string | undefined {
  if (err !== null && typeof err === "object" && "code" in err && typeof err.code === "string") return err.code;
  return undefined;
}

let shared: HerokuClient | undefined;

/** The one client of this provider process (all resources share its rate-limit view), made on first use. */
export function herokuClient(): HerokuClient {
  shared ??= new HerokuClient();
  return shared;
}
