// The demo stack (Pulumi.yaml), run by `bash scripts/demo.sh` against the local Heroku emulator: a customer-managed
// key and a Private-plan database encrypted with it, with Enhanced Certificates so clients verify the server.
import * as pulumi from "@pulumi/pulumi";
import { CustomerKey, SecureDatabase } from "heroku-pg-secure";

const program = async (): Promise<Record<string, unknown>> => {
  const config = new pulumi.Config();
  const key = new CustomerKey("demo-key", {
    region: config.get("region") ?? "us-east-1",
    alias: "alias/heroku-pg-secure-demo",
    description: "heroku-pg-secure demo database key",
    deletionWindowInDays: 7,
  });
  const db = new SecureDatabase("demo-db", {
    app: config.get("app") ?? "acme-api",
    plan: "heroku-postgresql:private-0",
    encryptionKeyArn: key.arn,
    enhancedCertificates: true,
  });
  return {
    keyArn: key.arn,
    keyRotation: key.enableKeyRotation,
    addonName: db.addonName,
    enhancedCertificates: db.enhancedCertificatesStatus,
    connectionUrl: db.connectionUrl,
  };
};

export = program;
