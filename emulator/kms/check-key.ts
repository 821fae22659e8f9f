import { DescribeKeyCommand, GetKeyPolicyCommand, KMSClient, NotFoundException } from "@aws-sdk/client-kms";
import { HEROKU_DATA_ACCOUNT_ID, parseKeyArn } from "./arn";
import { missingHerokuActions } from "./policy";

export type KeyCheck = { ok: true } | { ok: false; reason: string };

function client(endpoint: string, region: string): KMSClient {
  return new KMSClient({
    endpoint,
    region,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    maxAttempts: 2,
  });
}

/**
 * The provisioning-time check: the key must exist, be enabled, be single-region, live in the database's region,
 * and its policy must let Heroku's account use it (Dev Center's BYOK article (docs/heroku-api.md)). The reason is shown as provision_message.
 */
export async function checkKeyForProvisioning(
  endpoint: string,
  arn: string,
  databaseRegion: string,
): Promise<KeyCheck> {
  const parsed = parseKeyArn(arn);
  if (!parsed) return { ok: false, reason: `The encryption key ${arn} is not a valid AWS KMS key ARN.` };
  const kms = client(endpoint, parsed.region);
  try {
    const meta = (await kms.send(new DescribeKeyCommand({ KeyId: arn }))).KeyMetadata;
    if (!meta) return { ok: false, reason: `The encryption key ${arn} was not found in AWS KMS.` };
    if (meta.Enabled !== true || meta.KeyState !== "Enabled") {
      return {
        ok: false,
        reason: `The encryption key ${arn} is not enabled (key state ${meta.KeyState ?? "unknown"}).`,
      };
    }
    if (parsed.multiRegion || meta.MultiRegion === true) {
      return {
        ok: false,
        reason: `The encryption key ${arn} is a multi-region key; multi-region keys are not supported.`,
      };
    }
    if (parsed.region !== databaseRegion) {
      return {
        ok: false,
        reason: `The encryption key ${arn} is in ${parsed.region}, but the database is in ${databaseRegion}; the key must be in the same region as the database.`,
      };
    }
    const policy = (await kms.send(new GetKeyPolicyCommand({ KeyId: arn, PolicyName: "default" }))).Policy ?? "";
    const missing = missingHerokuActions(policy);
    if (missing.length > 0) {
      return {
        ok: false,
        reason: `The key policy of ${arn} does not allow Heroku's AWS account ${HEROKU_DATA_ACCOUNT_ID} to use the key (missing ${missing.join(", ")}).`,
      };
    }
    return { ok: true };
  } catch (err) {
    if (err instanceof NotFoundException)
      return { ok: false, reason: `The encryption key ${arn} was not found in AWS KMS.` };
    return { ok: false, reason: `Could not check the encryption key ${arn} with AWS KMS: ${(err as Error).message}` };
  } finally {
    kms.destroy();
  }
}

/** The periodic check: is the key usable right now? A deleted or pending-deletion key counts as disabled. */
export async function keyIsEnabled(endpoint: string, arn: string): Promise<boolean | undefined> {
  const parsed = parseKeyArn(arn);
  if (!parsed) return false;
  const kms = client(endpoint, parsed.region);
  try {
    const meta = (await kms.send(new DescribeKeyCommand({ KeyId: arn }))).KeyMetadata;
    return meta?.Enabled === true && meta.KeyState === "Enabled";
  } catch (err) {
    if (err instanceof NotFoundException) return false;
    return undefined; // KMS unreachable: leave the database as it is
  } finally {
    kms.destroy();
  }
}
