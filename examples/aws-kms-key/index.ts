// The key policy builder on its own, with aws.kms.Key from @pulumi/aws instead of CustomerKey: for teams that
// already manage their KMS keys with the AWS provider. Compiles in CI; running it needs the AWS provider plugin.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HEROKU_DATA_ACCOUNT_ID, keyPolicyJson, SecureDatabase } from "heroku-pg-secure";

const program = async (): Promise<Record<string, unknown>> => {
  const config = new pulumi.Config();
  const identity = await aws.getCallerIdentity();
  const key = new aws.kms.Key("orders-key", {
    description: `Heroku Postgres key usable by account ${HEROKU_DATA_ACCOUNT_ID}`,
    keyUsage: "ENCRYPT_DECRYPT",
    customerMasterKeySpec: "SYMMETRIC_DEFAULT",
    multiRegion: false,
    enableKeyRotation: true,
    deletionWindowInDays: 30,
    policy: keyPolicyJson({ accountId: identity.accountId }),
  });
  new aws.kms.Alias("orders-key-alias", { name: "alias/orders-db", targetKeyId: key.keyId });
  const db = new SecureDatabase("orders-db", {
    app: config.require("app"),
    plan: "heroku-postgresql:private-0",
    encryptionKeyArn: key.arn,
  });
  return { keyArn: key.arn, addonName: db.addonName };
};

export = program;
