import { parseKeyArn } from "./arn";
import { KMSClient } from "@aws-sdk/client-kms";
import { backoffDelay } from "../heroku/retry-policy";
import { ProviderError } from "../shared/errors";
import {
  isKmsThrottling,
  isKmsTransient,
  KMS_THROTTLE_BASE_DELAY_MS,
  KMS_THROTTLE_MAX_ATTEMPTS,
  KMS_THROTTLE_MAX_DELAY_MS,
  KMS_TRANSIENT_MAX_ATTEMPTS,
  kmsAccessError,
  kmsThrottledError,
} from "./errors";

export interface KmsRetryOptions {
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

const DEFAULT_RETRY_OPTIONS: KmsRetryOptions = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

// CreateKey is not idempotent: repeating it after a dropped connection could make a second key. A throttled
// CreateKey is still repeated, because KMS refuses a throttled request before doing anything.
const NOT_IDEMPOTENT = new Set(["CreateKey"]);

/**
 * One KMS client per region, made on first use from the standard AWS credential chain. AWS_ENDPOINT_URL_KMS (moto
 * in tests) is honoured by the SDK itself. Never made at module load: a client captured by Pulumi's closure
 * serialization breaks it (README "Toolchain").
 */
const clients: Record<string, KMSClient> = {};

export function kmsClient(region: string): KMSClient {
  const existing = clients[region];
  if (existing) return existing;
  const client = makeKmsClient(region);
  clients[region] = client;
  return client;
}

/**
 * A KMS client whose calls are repeated here, not by the SDK: the SDK's own retries (maxAttempts 1 turns them
 * off) would multiply our bound and end in a bare "Rate exceeded". Throttling is repeated with capped, jittered
 * backoff up to KMS_THROTTLE_MAX_ATTEMPTS; refused credentials become an error that says which ones to check.
 */
export function makeKmsClient(
  region: string,
  options: Partial<KmsRetryOptions> & { endpoint?: string } = {},
): KMSClient {
  const { sleep, random } = { ...DEFAULT_RETRY_OPTIONS, ...options };
  const client = new KMSClient({ region, maxAttempts: 1, ...(options.endpoint ? { endpoint: options.endpoint } : {}) });
  const backoff = { baseDelayMs: KMS_THROTTLE_BASE_DELAY_MS, maxDelayMs: KMS_THROTTLE_MAX_DELAY_MS };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? "a KMS call").replace(/Command$/, "");
      let waited = 0;
      for (let attempt = 1; ; attempt++) {
        try {
          return await next(args);
        } catch (err) {
          const throttled = isKmsThrottling(err);
          const transient = !throttled && isKmsTransient(err) && !NOT_IDEMPOTENT.has(operation);
          if (throttled && attempt >= KMS_THROTTLE_MAX_ATTEMPTS) throw kmsThrottledError(operation, attempt, waited);
          if (!throttled && !(transient && attempt < KMS_TRANSIENT_MAX_ATTEMPTS)) {
            throw kmsAccessError(operation, err) ?? err;
          }
          const delay = backoffDelay(attempt - 1, backoff, random);
          waited += delay;
          await sleep(delay);
        }
      }
    },
    { step: "initialize", name: "herokuPgSecureRetry" },
  );
  return client;
}

export { parseKeyArn, type ParsedKeyArn } from "./arn";

/** The region a key lives in: from its ARN when given one, else `fallback`, else AWS_REGION. */
export function regionFor(keyIdOrArn: string | undefined, fallback?: string): string {
  const fromArn = keyIdOrArn ? parseKeyArn(keyIdOrArn)?.region : undefined;
  const region = fromArn ?? fallback ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new ProviderError(
      "no AWS region: set the resource's region input or AWS_REGION in the environment that runs pulumi",
    );
  }
  return region;
}

/** True for KMS "this key does not exist" answers. */
export function isKmsNotFound(err: unknown): boolean {
  return err instanceof Error && (err.name === "NotFoundException" || err.name === "NotFound");
}
