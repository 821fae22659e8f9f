// The stack the policy-pack e2e test previews (tests/e2e/policy.test.ts): compliant as configured by default, and
// each config key breaks one policy: `cidr` (allowlist width), `customerKey: false` (customer key), `keyRotation:
// false`, `plan` on a Standard tier without `enhancedCertificates` (external access), `writerApp` (read-write
// credential), `protect: false` (protection, in a prod-* stack) and `rotationTrigger` (rotation age).
import * as pulumi from "@pulumi/pulumi";
import { Credential, CustomerKey, IpRule, MtlsConfig, SecureDatabase } from "heroku-pg-secure";

const program = async (): Promise<Record<string, unknown>> => {
  const config = new pulumi.Config();
  const plan = config.get("plan") ?? "heroku-postgresql:private-0";
  const privatePlan = /:(private|shield)-/.test(plan);
  const protect = config.getBoolean("protect") ?? true;
  const key =
    privatePlan && config.getBoolean("customerKey") !== false
      ? new CustomerKey(
          "policy-key",
          { alias: "alias/policy", enableKeyRotation: config.getBoolean("keyRotation") ?? true },
          { protect },
        )
      : undefined;
  const db = new SecureDatabase(
    "policy-db",
    {
      app: "acme-api",
      plan,
      encryptionKeyArn: key?.arn,
      enhancedCertificates: config.getBoolean("enhancedCertificates") ?? false,
    },
    { protect },
  );
  const dependsOn: pulumi.Resource[] = [];
  if (privatePlan) {
    const mtls = new MtlsConfig("policy-mtls", { database: db.id, certificateNames: ["runner"] });
    const cidr = config.get("cidr") ?? "203.0.113.0/24";
    const rule = new IpRule(
      "policy-rule",
      { database: db.id, cidr, description: "office", acknowledgeWideCidr: config.getBoolean("acknowledgeWideCidr") },
      { dependsOn: [mtls] },
    );
    dependsOn.push(mtls, rule);
  }
  const writer = new Credential(
    "policy-writer",
    {
      database: db.id,
      name: "writer",
      permissions: "read-write",
      attachments: [{ app: config.get("writerApp") ?? "acme-reports", name: "WRITER_DB" }],
      rotationTrigger: config.get("rotationTrigger"),
    },
    { dependsOn },
  );
  return { addonName: db.addonName, writerId: writer.id };
};

export = program;
