import { AmbiguousRequestError, HerokuApiError } from "../heroku/errors";
import { ProviderError } from "./errors";

/**
 * How many POSTs one create makes at most when each fails ambiguously (5xx, dropped connection) and reading back
 * shows it did not take effect. Heroku's creates are not idempotent (docs/heroku-api.md section 5), so a POST is only
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

/**
 * Heroku keeps nothing of an IP rule but its CIDR and description, so the description carries the resume marker
 * after the declared text; unmarkedDescription takes it off again, so the stack only ever shows what was declared.
 */
export function markedDescription(description: string, key: string | undefined): string {
  return key ? `${description} ${resumeMarker(key)}` : description;
}

export function unmarkedDescription(description: string, key: string | undefined): string {
  const marker = key ? ` ${resumeMarker(key)}` : "";
  return marker && description.endsWith(marker) ? description.slice(0, -marker.length) : description;
}

/** Whether a rule's description carries the marker of this key. */
export function carriesMarker(description: string, key: string | undefined): boolean {
  return key !== undefined && description.endsWith(resumeMarker(key));
}

/**
 * What an interrupted create left is resumed only within this many create timeouts of its creation. An
 * interrupted or timed-out create is normally run again soon; an older object that carries the same marker is
 * more likely the live object of this very resource being replaced (`pulumi up --replace` creates first), and
 * taking it over would let the replacement's delete remove it.
 */
export const RESUME_WINDOW_FACTOR = 2;

/** Whether an object made at `createdAt` (ISO-8601) is young enough to be resumed; see RESUME_WINDOW_FACTOR. */
export function withinResumeWindow(createdAt: string | undefined, createTimeoutMs: number, now = Date.now()): boolean {
  const at = createdAt ? Date.parse(createdAt) : Number.NaN;
  if (Number.isNaN(at)) return false;
  return now - at <= RESUME_WINDOW_FACTOR * createTimeoutMs;
}
