import { messageOf, ProviderError } from "../shared/errors";

/**
 * How KMS calls are repeated while AWS throttles them. AWS KMS answers ThrottlingException (HTTP 400) when the
 * account's per-Region request quota is used up ("Request quotas", AWS KMS developer guide); the quota refills
 * every second, so a short backoff usually gets through. The bound keeps a storm from hanging `pulumi up`.
 */
export const KMS_THROTTLE_MAX_ATTEMPTS = 8;
export const KMS_THROTTLE_BASE_DELAY_MS = 250;
export const KMS_THROTTLE_MAX_DELAY_MS = 8_000;
/** Attempts for a dropped connection or a 5xx, which the SDK used to repeat on its own (never for CreateKey). */
export const KMS_TRANSIENT_MAX_ATTEMPTS = 3;

// Error names AWS uses for "slow down" across its JSON APIs; KMS itself sends ThrottlingException.
const THROTTLING = new Set(["ThrottlingException", "Throttling", "ThrottledException", "TooManyRequestsException"]);

// Answers that mean the AWS credentials themselves are missing, wrong or expired.
const BAD_CREDENTIALS = new Set([
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "IncompleteSignature",
  "IncompleteSignatureException",
  "InvalidClientTokenId",
  "ExpiredTokenException",
  "ExpiredToken",
  "CredentialsProviderError",
]);

interface SdkErrorShape {
  name?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

function shape(err: unknown): SdkErrorShape {
  return err !== null && typeof err === "object" ? (err as SdkErrorShape) : {};
}

export function isKmsThrottling(err: unknown): boolean {
  const e = shape(err);
  return (typeof e.name === "string" && THROTTLING.has(e.name)) || e.$metadata?.httpStatusCode === 429;
}

/**
 * A 5xx, or no HTTP answer at all (a dropped or refused connection: the SDK wraps those as a plain Error whose
 * $metadata has no status): worth another try for calls that are safe to repeat.
 */
export function isKmsTransient(err: unknown): boolean {
  const e = shape(err);
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === "number") return status >= 500;
  return !(typeof e.name === "string" && BAD_CREDENTIALS.has(e.name));
}

/**
 * The error after KMS throttled every attempt. The hook's context ("creating CustomerKey alias/x in us-east-1")
 * is prefixed by withContext, so this says what was throttled and what to do.
 */
export function kmsThrottledError(operation: string, attempts: number, waitedMs: number): ProviderError {
  return new ProviderError(
    `AWS KMS throttled the request: ${operation} answered ThrottlingException on all ${attempts} attempts ` +
      `over ${Math.round(waitedMs / 1000)}s, so the account's KMS request quota in this Region is used up. ` +
      "Nothing after this call was done; wait a minute and run pulumi up again, and if it keeps happening " +
      "lower the apply's parallelism (pulumi up --parallel) or ask AWS for a higher KMS request quota (Service Quotas)",
  );
}

/** Says which credential to check for a refused KMS call, without printing any of it. */
export function kmsAccessError(operation: string, err: unknown): ProviderError | undefined {
  const name = shape(err).name;
  if (typeof name !== "string") return undefined;
  if (BAD_CREDENTIALS.has(name)) {
    return new ProviderError(
      `AWS KMS refused ${operation} (${name}): the AWS credentials are missing, invalid or expired. Check the AWS ` +
        "credentials of the environment that runs pulumi (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, " +
        "AWS_SESSION_TOKEN, or the profile named by AWS_PROFILE)",
    );
  }
  if (name === "AccessDeniedException") {
    return new ProviderError(
      `AWS KMS refused ${operation} (AccessDeniedException): the AWS identity pulumi runs as may not do this. ` +
        "Check which AWS credentials the environment that runs pulumi uses (AWS_PROFILE or AWS_ACCESS_KEY_ID) " +
        `and that its IAM policy and the key policy allow kms:${operation}. AWS said: ${messageOf(err)}`,
    );
  }
  return undefined;
}
