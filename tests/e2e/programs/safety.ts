// The stack the replacement-safety e2e test edits (tests/e2e/safety.test.ts): a CustomerKey, a Private database
// encrypted with it, mTLS, a loopback rule and an office block, and a read-only credential attached to another
// app. Config renames each resource, switches how the children name the database, and drops the key from the
// program (the database then names the key by its ARN), so that one program covers the edits a user makes.
import * as pulumi from "@pulumi/pulumi";
import { Credential, CustomerKey, IpRule, MtlsConfig, SecureDatabase } from "heroku-pg-secure";

const program = async (): Promise<Record<string, unknown>> => {
  const config = new pulumi.Config();
  const names = (part: string, fallback: string): string => config.get(`${part}Name`) ?? fallback;
  const keyArn = config.get("keyArn");
  const key = keyArn
    ? undefined
    : new CustomerKey(names("key", "safety-key"), {
        alias: config.require("keyAlias"),
        ...(config.get("keyRegion") ? { region: config.get("keyRegion") } : {}),
      });
  const db = new SecureDatabase(names("db", "safety-db"), {
    app: "acme-api",
    plan: "heroku-postgresql:private-0",
    encryptionKeyArn: keyArn ?? key?.arn,
    enhancedCertificates: false,
  });
  const database = config.get("databaseRef") === "id" ? db.id : db.addonName;
  const mtls = new MtlsConfig(names("mtls", "safety-mtls"), { database, certificateNames: ["runner"] });
  const loopback = new IpRule(
    "safety-rule-loopback",
    { database, cidr: "127.0.0.1/32", description: "runner" },
    { dependsOn: [mtls] },
  );
  const office = new IpRule(
    names("rule", "safety-rule-office"),
    { database, cidr: config.get("officeCidr") ?? "203.0.113.0/24", description: "office" },
    { dependsOn: [mtls] },
  );
  const analyst = new Credential(
    names("credential", "safety-credential"),
    { database, name: "analyst", permissions: "read-only", attachments: [{ app: "acme-reports", name: "ANALYST_DB" }] },
    { dependsOn: [mtls, loopback] },
  );
  return {
    keyArn: key?.arn ?? keyArn,
    addonName: db.addonName,
    addonId: db.id,
    officeRuleId: office.id,
    credentialId: analyst.id,
  };
};

export = program;
