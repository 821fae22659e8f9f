import { ProviderError, redactSecrets } from "../shared/errors";

export type ApiName = "Platform" | "Data";

/**
 * A non-2xx answer from a Heroku API. Heroku's `{id, message}` body is kept as `errorId` (never `id`: see
 * provider/shared/errors.ts). The message names the call and, for 401/403, the credential to check.
 */
export class HerokuApiError extends ProviderError {
  override readonly name = "HerokuApiError";
  /** Heroku's own message, credentials removed. */
  readonly herokuMessage: string;

  constructor(
    readonly api: ApiName,
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly errorId: string,
    herokuMessage: string,
    readonly requestId: string | undefined,
  ) {
    super(redactSecrets(describe(api, method, path, status, errorId, herokuMessage, requestId)));
    this.herokuMessage = redactSecrets(herokuMessage);
  }
}

function describe(
  api: ApiName,
  method: string,
  path: string,
  status: number,
  errorId: string,
  message: string,
  requestId: string | undefined,
): string {
  // Heroku's messages end with a full stop ("Invalid credentials provided."); ours follows as a new sentence.
  let text = `Heroku ${api} API ${method} ${path} answered ${status} ${errorId}: ${message}`;
  if (status === 401 || status === 403) text = text.replace(/\.$/, "");
  if (status === 401) {
    text += ". Check HEROKU_API_KEY: the token is missing, expired or revoked (heroku auth:token shows a valid one)";
  } else if (status === 403) {
    text +=
      ". Check HEROKU_API_KEY: the token's account lacks access to this app or team, or the action needs two-factor";
  }
  return requestId ? `${text} (request id ${requestId})` : text;
}

/**
 * A call that may or may not have reached Heroku (connection dropped, timeout, 5xx on a create). Creates are not
 * idempotent (docs/heroku-api.md section 5, "Idempotency"), so the caller reads back before trying again.
 */
export class AmbiguousRequestError extends ProviderError {
  override readonly name = "AmbiguousRequestError";
}

/** Retries ran out; says what kept failing and what to do. */
export class RetriesExhaustedError extends ProviderError {
  override readonly name = "RetriesExhaustedError";
}

export function isNotFound(err: unknown): boolean {
  return err instanceof HerokuApiError && err.status === 404;
}

/** For `.catch()`: a 404 means "gone"; anything else still fails. */
export function ignoreNotFound(err: unknown): void {
  if (!isNotFound(err)) throw err;
}

/** For `.catch()`: a 404 gives `value` (what "not there" means to the caller); anything else still fails. */
export function onNotFound<T>(value: T): (err: unknown) => T {
  return (err) => {
    if (isNotFound(err)) return value;
    throw err;
  };
}

/** For `.catch()` on a read: a 404 becomes null; anything else still fails. */
export const nullOnNotFound = onNotFound(null);

/** Whether a call found its object: false on a 404 (already gone, for a delete); anything else still fails. */
export function found(call: Promise<unknown>): Promise<boolean> {
  return call.then(() => true, onNotFound(false));
}
