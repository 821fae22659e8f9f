import { AmbiguousRequestError, HerokuApiError } from "../heroku/errors";
import { ProviderError } from "./errors";

/**
 * How many POSTs one create makes at most when each fails ambiguously (5xx, dropped connection) and reading back
 * shows it did not take effect. Heroku's creates are not idempotent (heroku-api.md section 5), so a POST is only
 * repeated after a read-back, and a 409/422 after an ambiguous attempt means that attempt landed after all.
 */
export const MAX_CREATE_ATTEMPTS = 3;

export interface CreateReadingBack<T> {
  /** "add-on on app acme-api", for the message after the last attempt. */
  what: string;
  post: () => Promise<T>;
  /** The object the POST would have made, if it exists now. */
  readBack: () => Promise<T | undefined>;
}

export async function createReadingBack<T>(spec: CreateReadingBack<T>): Promise<T> {
  let ambiguous: AmbiguousRequestError | undefined;
  for (let attempt = 1; attempt <= MAX_CREATE_ATTEMPTS; attempt++) {
    try {
      return await spec.post();
    } catch (err) {
      if (ambiguous && err instanceof HerokuApiError && (err.status === 409 || err.status === 422)) {
        const found = await spec.readBack();
        if (found) return found;
        throw err;
      }
      if (!(err instanceof AmbiguousRequestError)) throw err;
      ambiguous = err;
      const found = await spec.readBack();
      if (found) return found;
    }
  }
  throw new ProviderError(
    `${ambiguous?.message ?? "the create failed"}. All ${MAX_CREATE_ATTEMPTS} attempts to create the ${spec.what} failed ` +
      `that way and reading back after each found nothing, so none was made; wait for Heroku to recover ` +
      `(https://status.heroku.com) and run pulumi up again`,
  );
}

/** The marker an IP rule's description carries (Heroku has no other field to hold it). */
export function resumeMarker(key: string): string {
  return `[pulumi ${key}]`;
}
