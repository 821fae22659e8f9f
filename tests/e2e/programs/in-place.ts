// The demo-shaped stack the preview-fidelity e2e test edits in place (tests/e2e/in-place.test.ts): a
// SecurePostgres (key, database, mTLS, two rules, two credentials) whose key, certificates and credentials change
// through config, and a plain SecureDatabase without mTLS with a Credential below it, whose Enhanced Certificates
// and timeouts change. No edit here replaces anything, so the preview must show updates only.
import * as pulumi from "@pulumi/pulumi";
import { Credential, SecureDatabase, SecurePostgres } from "heroku-pg-secure";

const program = async (): Promise<Record<string, unknown>> => {
  const config = new pulumi.Config();
  const list = (key: string, fallback: string): string[] => (config.get(key) ?? fallback).split(",").filter(Boolean);
  const tag = config.get("keyTag");
  const pg = new SecurePostgres("fidelity", {
    app: "acme-api",
    customerKey: {
      region: "us-east-1",
      alias: config.get("keyAlias") ?? "alias/fidelity",
      description: config.get("keyDescription") ?? "fidelity test",
      rotationPeriodInDays: config.getNumber("rotationPeriod") ?? 365,
      ...(tag ? { tags: { team: tag } } : {}),
      deletionWindowInDays: 7,
    },
    allowedCidrs: [
      { cidr: "127.0.0.1/32", description: "this machine" },
      { cidr: "198.51.100.0/24", description: "office" },
    ],
    clientCertificates: list("certificates", "bi-tool,ci-runner"),
    credentials: {
      analyst: {
        permissions: (config.get("analystPermissions") ?? "read-only") as "read-only" | "read-write",
        attachTo: list("analystApps", "acme-reports"),
      },
      reporting: { permissions: "read-write" },
    },
    protect: false,
  });
  const plain = new SecureDatabase("fidelity-plain", {
    app: "acme-eu",
    plan: "heroku-postgresql:private-0",
    enhancedCertificates: config.getBoolean("enhancedCertificates") ?? false,
    ...(config.get("createTimeout") ? { timeouts: { create: config.get("createTimeout") } } : {}),
  });
  const below = new Credential("fidelity-plain-credential", { database: plain.id, name: "auditor" });
  return { addonName: pg.addonName, plainAddon: plain.addonName, auditor: below.username };
};

export = program;
