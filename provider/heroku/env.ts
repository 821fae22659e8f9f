import { ProviderError } from "../shared/errors";

/**
 * Where the APIs are and who we are, read from the environment at call time (never from resource inputs), so
 * a stored provider holds no credentials and a rotated token is picked up without a code change.
 * Defaults and variable names: docs/heroku-api.md section 0.
 */
export const DEFAULT_PLATFORM_API_URL = "https://api.heroku.com";
export const DEFAULT_DATA_API_URL = "https://api.data.heroku.com";

export function platformApiUrl(): string {
  return trimSlash(process.env.HEROKU_API_URL || DEFAULT_PLATFORM_API_URL);
}

/** HEROKU_DATA_API_URL is a full URL; HEROKU_DATA_HOST is a bare host name as the Heroku CLI reads it. */
export function dataApiUrl(): string {
  const url = process.env.HEROKU_DATA_API_URL;
  if (url) return trimSlash(url);
  const host = process.env.HEROKU_DATA_HOST;
  if (host) return trimSlash(host.startsWith("http") ? host : `https://${host}`);
  return DEFAULT_DATA_API_URL;
}

export function apiKey(): string {
  const key = process.env.HEROKU_API_KEY;
  if (!key) {
    throw new ProviderError(
      "HEROKU_API_KEY is not set: export a Heroku API token (heroku authorizations:create) in the environment that runs pulumi",
    );
  }
  return key;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
