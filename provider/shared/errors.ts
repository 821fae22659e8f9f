/**
 * Errors a hook may throw. The dynamic-provider host treats any thrown object with an `id` property as "created
 * but failed to initialise" and records a half-made resource under that id (grpcResponseFromError in
 * @pulumi/pulumi/cmd/dynamic-provider), so no error here ever has one and foreign errors are re-wrapped.
 */
export class ProviderError extends Error {
  override readonly name: string = "ProviderError";
}

/** Removes the values of credentials from text that may end up in an error, a log or a state file. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const name of ["HEROKU_API_KEY", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]) {
    const secret = process.env[name];
    if (secret && secret.length >= 4) out = out.split(secret).join("[redacted]");
  }
  return out;
}

/** The message of anything thrown, without credentials. */
export function messageOf(err: unknown): string {
  const text = err instanceof Error ? err.message : typeof err === "string" ? err : JSON.stringify(err);
  return redactSecrets(text ?? String(err));
}

/**
 * Prefixes what the hook was doing ("creating CustomerKey alias/heroku-data") and guarantees an `Error` without an
 * `id` property. Our own errors keep their class so tests can tell them apart.
 */
export function wrapError(context: string, err: unknown): Error {
  if (err instanceof Error && !("id" in err)) {
    err.message = redactSecrets(`${context}: ${err.message}`);
    return err;
  }
  return new ProviderError(`${context}: ${messageOf(err)}`);
}

/** Runs a hook body and re-throws through `wrapError`. */
export async function withContext<T>(context: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    throw wrapError(context, err);
  }
}
