// A KMS key that Heroku may use, and a Private-plan Postgres encrypted with it.
import * as pulumi from "@pulumi/pulumi";
import { CustomerKey, SecureDatabase } from "heroku-pg-secure";

const program = async (): Promise<Record<string, unknown>> => {
  const config = new pulumi.Config();
  const key = new CustomerKey("orders-key", {
    region: config.get("region") ?? "us-east-1",
    alias: config.get("alias") ?? "alias/orders-db",
    description: "Encrypts the orders database",
    adoptKeyId: config.get("adoptKeyId"),
  });
  const db = new SecureDatabase("orders-db", {
    app: config.get("app") ?? "acme-api",
    plan: config.get("plan") ?? "heroku-postgresql:private-0",
    encryptionKeyArn: key.arn,
    enhancedCertificates: config.getBoolean("enhancedCertificates") ?? false,
    adoptAddonId: config.get("adoptAddonId"),
  });
  return {
    keyId: key.keyId,
    keyArn: key.arn,
    addonId: db.addonId,
    addonName: db.addonName,
    enhancedCertificatesStatus: db.enhancedCertificatesStatus,
    connectionUrl: db.connectionUrl,
  };
};

export = program;
