import { CreateKeyCommand, DisableKeyCommand, KMSClient } from "@aws-sdk/client-kms";

/** Heroku Data's AWS account (Dev Center, "Encrypting Heroku Postgres with Your Encryption Key"). */
const HEROKU_DATA = "arn:aws:iam::021876802972:root";

const client = (motoEndpoint: string, region: string): KMSClient =>
  new KMSClient({
    region,
    endpoint: motoEndpoint,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });

/** Disables a key in moto (whose DisableKey takes the bare key id, not the ARN). */
export async function disableKey(motoEndpoint: string, arn: string): Promise<void> {
  const region = arn.split(":")[3]!;
  await client(motoEndpoint, region).send(new DisableKeyCommand({ KeyId: arn.slice(arn.indexOf("/") + 1) }));
}

/** A symmetric key in moto whose policy lets Heroku Data use it, as BYOK needs; answers its ARN. */
export async function createHerokuKey(motoEndpoint: string, region = "us-east-1"): Promise<string> {
  const kms = client(motoEndpoint, region);
  const statement = (sid: string, principal: string, action: string | string[]): Record<string, unknown> => ({
    Sid: sid,
    Effect: "Allow",
    Principal: { AWS: principal },
    Action: action,
    Resource: "*",
  });
  const policy = {
    Version: "2012-10-17",
    Statement: [
      statement("Owner", "arn:aws:iam::123456789012:root", "kms:*"),
      statement("HerokuData", HEROKU_DATA, ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"]),
    ],
  };
  const r = await kms.send(new CreateKeyCommand({ Policy: JSON.stringify(policy) }));
  return r.KeyMetadata!.Arn!;
}
