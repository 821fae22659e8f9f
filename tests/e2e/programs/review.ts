// The stack the review e2e test changes (tests/e2e/review.test.ts): a key, a Private database with mTLS, two IP
// rules and a credential, a spare key that schedules its deletion when dropped, and a Standard database for the
// Enhanced Certificates switch. Each config key is one
// kind of change a pull request makes; the outputs carry the secrets the review must never show.
import * as pulumi from "@pulumi/pulumi";
import { Credential, CustomerKey, IpRule, MtlsConfig, SecureDatabase } from "heroku-pg-secure";

const program = async (): Promise<Record<string, unknown>> => {
  const config = new pulumi.Config();
  const csv = (key: string, fallback: string): string[] =>
    (config.get(key) ?? fallback).split(",").filter((x) => x !== "");
  const key = new CustomerKey("review-key", {
    alias: "alias/review",
    enabled: config.getBoolean("keyEnabled") ?? true,
    acknowledgeDatabaseShutdown: true,
  });
  if (config.getBoolean("spareKey") ?? true) {
    new CustomerKey("review-spare-key", { alias: "alias/review-spare", removalPolicy: "schedule-deletion" });
  }
  const db = new SecureDatabase("review-db", {
    app: "acme-api",
    plan: config.get("plan") ?? "heroku-postgresql:private-0",
    ...(config.get("postgresVersion") ? { postgresVersion: config.get("postgresVersion") } : {}),
    encryptionKeyArn: key.arn,
  });
  const mtls = new MtlsConfig("review-mtls", { database: db.id, certificateNames: csv("certificates", "runner,old") });
  const loopback = new IpRule(
    "review-rule-loopback",
    { database: db.id, cidr: "127.0.0.1/32", description: "runner" },
    { dependsOn: [mtls] },
  );
  new IpRule(
    "review-rule-office",
    { database: db.id, cidr: "203.0.113.0/24", description: config.get("officeDescription") ?? "office" },
    { dependsOn: [mtls] },
  );
  const extraCidr = config.get("extraCidr");
  if (extraCidr) {
    new IpRule(
      "review-rule-extra",
      { database: db.id, cidr: extraCidr, description: "partner" },
      { dependsOn: [mtls] },
    );
  }
  const analyst = new Credential(
    "review-analyst",
    {
      database: db.id,
      name: "analyst",
      permissions: config.get("analystPermissions") === "read-write" ? "read-write" : "read-only",
      attachments: csv("analystApps", "acme-reports,acme-api").map((app) => ({ app, name: "ANALYST_DB" })),
      rotationTrigger: config.get("rotation") ?? "2026-01-01",
    },
    { dependsOn: [mtls, loopback] },
  );
  if (config.getBoolean("newCredential")) {
    new Credential(
      "review-auditor",
      { database: db.id, name: "auditor", permissions: "read-only", attachments: [{ app: "acme-reports" }] },
      { dependsOn: [mtls, loopback] },
    );
  }
  const web =
    (config.getBoolean("webDatabase") ?? true)
      ? new SecureDatabase("review-web-db", {
          app: "acme-hobby",
          plan: "heroku-postgresql:standard-0",
          enhancedCertificates: config.getBoolean("enhancedCertificates") ?? false,
        })
      : undefined;
  return {
    analystUrl: analyst.url,
    analystPassword: analyst.password,
    dbUrl: db.connectionUrl,
    webUrl: web?.connectionUrl,
    privateKeys: mtls.certificates.apply((c) => Object.values(c).map((x) => x.privateKey)),
  };
};

export = program;
