import { DescribeKeyCommand } from "@aws-sdk/client-kms";
import { type DatabaseInfo, infoRow } from "../heroku/databases";
import { kmsClient, parseKeyArn } from "../kms/client";

/**
 * Undefined while Heroku serves the database; otherwise why it does not and what to do, so that `pulumi refresh`
 * shows a database that went down as drift on the database itself. Heroku shuts a database down about 20 minutes
 * after its customer key is disabled and starts it about 5 minutes after the key is enabled again (Dev Center's BYOK article (docs/heroku-api.md)).
 */
export async function availabilityOf(
  addonName: string,
  addonState: string,
  info: DatabaseInfo,
): Promise<string | undefined> {
  const status = infoRow(info, "Status")?.[0];
  const down = addonState === "provisioned" && (info.available_for_ingress === false || isUnavailable(status));
  if (!down) return undefined;
  const keyArn = infoRow(info, "Customer Encryption Key")?.[0];
  const reported = `unavailable: Heroku reports database ${addonName} as "${status ?? "unavailable"}"`;
  if (!keyArn) return reported;
  const keyState = await keyStateOf(keyArn);
  const enable = `enable the key (pulumi up with the CustomerKey's enabled: true, or aws kms enable-key --key-id ${keyArn}); Heroku starts the database again about 5 minutes after the key is enabled`;
  if (keyState !== undefined && keyState !== "Enabled") {
    return `${reported} because its customer encryption key ${keyArn} is ${keyState} in AWS KMS: ${enable}`;
  }
  // The key looks fine or could not be read (no AWS credentials here): say what to check rather than guess.
  return `${reported}; it is encrypted with ${keyArn}: if that key is disabled or pending deletion, ${enable}`;
}

function isUnavailable(status: string | undefined): boolean {
  return status !== undefined && /^unavailable\b/i.test(status);
}

async function keyStateOf(arn: string): Promise<string | undefined> {
  const region = parseKeyArn(arn)?.region;
  if (!region) return undefined;
  try {
    return (await kmsClient(region).send(new DescribeKeyCommand({ KeyId: arn }))).KeyMetadata?.KeyState;
  } catch {
    return undefined;
  }
}
