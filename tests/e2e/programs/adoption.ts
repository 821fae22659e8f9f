// The stack the adoption e2e test (tests/e2e/adoption.test.ts) points at a hand-made setup, as plain resources or
// as one SecurePostgres. Its declarations differ from the setup on purpose (rotation on, a second certificate
// name, another rule description and attachment name, one schema), so the preview after adopting has
// differences to show. `drop=true` removes every adoption input, which must change nothing.
import * as pulumi from "@pulumi/pulumi";
import { Credential, CustomerKey, IpRule, MtlsConfig, SecureDatabase, SecurePostgres } from "heroku-pg-secure";

interface Ids {
  keyId: string;
  addon: string;
  rules: Record<string, string>;
}

const program = async (): Promise<Record<string, unknown>> => {
  const config = new pulumi.Config();
  const ids = JSON.parse(config.require("ids")) as Ids;
  const adopt = config.get("drop") !== "true";
  const analystAttachment = { app: "acme-reports", name: "ANALYST" };
  if (config.require("mode") === "component") {
    const pg = new SecurePostgres("adopted", {
      app: "acme-api",
      customerKey: {},
      allowedCidrs: [
        { cidr: "127.0.0.1/32", description: "runner" },
        { cidr: "203.0.113.0/24", description: "office (hq)" },
      ],
      clientCertificates: ["legacy", "ci"],
      credentials: { analyst: { permissions: "read-only", attachTo: [{ app: "acme-reports", as: "ANALYST" }] } },
      protect: false,
      ...(adopt
        ? {
            adopt: {
              database: ids.addon,
              keyId: ids.keyId,
              mtls: true,
              ipRuleIds: ids.rules,
              credentials: ["analyst"],
            },
          }
        : {}),
    });
    return { addonName: pg.addonName };
  }
  const key = new CustomerKey("adopt-key", adopt ? { adoptKeyId: ids.keyId } : {});
  const db = new SecureDatabase("adopt-db", {
    app: "acme-api",
    plan: "heroku-postgresql:private-0",
    encryptionKeyArn: key.arn,
    enhancedCertificates: false,
    ...(adopt ? { adoptAddonId: ids.addon } : {}),
  });
  const mtls = new MtlsConfig("adopt-mtls", {
    database: db.id,
    certificateNames: ["legacy", "ci"],
    ...(adopt ? { adoptExisting: true } : {}),
  });
  const rule = (name: string, cidr: string, description: string): IpRule =>
    new IpRule(
      name,
      { database: db.id, cidr, description, ...(adopt ? { adoptRuleId: ids.rules[cidr] } : {}) },
      { dependsOn: [mtls] },
    );
  const runner = rule("adopt-rule-runner", "127.0.0.1/32", "runner");
  rule("adopt-rule-office", "203.0.113.0/24", "office (hq)");
  new Credential(
    "adopt-analyst",
    {
      database: db.id,
      name: "analyst",
      permissions: "read-only",
      attachments: [analystAttachment],
      ...(adopt ? { adoptExisting: true } : {}),
    },
    { dependsOn: [mtls, runner] },
  );
  return { addonName: db.addonName };
};

export = program;
