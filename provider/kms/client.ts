import { KMSClient } from "@aws-sdk/client-kms";
import { ProviderError } from "../shared/errors";

/**
 * One KMS client per region, made on first use from the standard AWS credential chain. AWS_ENDPOINT_URL_KMS (moto
 * in tests) is honoured by the SDK itself. Never made at module load: a client captured by Pulumi's closure
 * serialization breaks it (pulumi-toolchain.md).
 */
const clients: Record<string, KMSClient> = {};

export function kmsClient(region: string): KMSClient {
  const existing = clients[region];
  if (existing) return existing;
  const client = new KMSClient({ region, maxAttempts: 5 });
  clients[region] = client;
  return client;
}

// arn:partition:kms:region:account:key/id  (AWS KMS developer guide, "Key ARN").
const KEY_ARN = /^arn:(aws|aws-cn|aws-us-gov):kms:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):key\/(.+)$/;

export interface ParsedKeyArn {
  partition: string;
  region: string;
  accountId: string;
  keyId: string;
}

export function parseKeyArn(arn: string): ParsedKeyArn | undefined {
  const m = KEY_ARN.exec(arn);
  if (!m) return undefined;
  const [, partition, region, accountId, keyId] = m;
  if (!partition || !region || !accountId || !keyId) return undefined;
  return { partition, region, accountId, keyId };
}

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
