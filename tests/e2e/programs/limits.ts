// A stack of plain resources sized by config, for the limits-and-load and update/destroy fault tests: a
// CustomerKey, a Private SecureDatabase encrypted with it, MtlsConfig, `rules` IpRules (127.0.0.1/32 first) and
// `credentials` Credentials. Rules wait for mTLS; credentials wait for mTLS and the loopback rule, because the
// provider applies their grants over mTLS from the address running pulumi (127.0.0.1).
import * as pulumi from "@pulumi/pulumi";
import { Credential, CustomerKey, IpRule, MtlsConfig, SecureDatabase } from "heroku-pg-secure";

const LOOPBACK = "127.0.0.1/32";

/** The loopback block, then 10.a.b.0/24 blocks: distinct and non-overlapping up to 64,000 of them. */
function cidrs(count: number): string[] {
  const list = [LOOPBACK];
  for (let i = 1; list.length < count; i++) list.push(`10.${Math.floor(i / 250)}.${i % 250}.0/24`);
  return list.slice(0, count);
}

const program = async (): Promise<Record<string, unknown>> => {
  const config = new pulumi.Config();
  const ruleCount = config.requireNumber("rules");
  const credentialCount = config.requireNumber("credentials");
  const certificateNames = (config.get("certificates") ?? "app,ci").split(",");
  const permissions = (config.get("permissions") ?? "read-only") as "none" | "read-only" | "read-write";
  const attachTo = config.get("attachTo");
  const rotationTrigger = config.get("rotation");

  const key = new CustomerKey("limits-key", {
    alias: config.require("keyAlias"),
    description: "heroku-pg-secure limits test",
    // The test checks that destroy leaves no key in use, so this stack asks for the key's deletion.
    removalPolicy: "schedule-deletion",
    deletionWindowInDays: 7,
  });
  const db = new SecureDatabase("limits-db", {
    app: config.get("app") ?? "acme-api",
    plan: "heroku-postgresql:private-0",
    encryptionKeyArn: key.arn,
    enhancedCertificates: false,
  });
  const mtls = new MtlsConfig("limits-mtls", { database: db.addonName, certificateNames });
  const rules = cidrs(ruleCount).map(
    (cidr) =>
      new IpRule(
        `limits-rule-${cidr.replace(/[./]/g, "-")}`,
        { database: db.addonName, cidr, description: "limits test" },
        { dependsOn: [mtls] },
      ),
  );
  const credentials = Array.from({ length: credentialCount }, (_, i) => {
    const name = `load_${String(i + 1).padStart(2, "0")}`;
    return new Credential(
      `limits-credential-${name}`,
      {
        database: db.addonName,
        name,
        permissions,
        // Only the first credential is attached, so attaching and detaching is one call each.
        attachments: i === 0 && attachTo ? [{ app: attachTo }] : [],
        ...(rotationTrigger ? { rotationTrigger, forceRotation: true } : {}),
      },
      { dependsOn: [mtls, ...rules.slice(0, 1)] },
    );
  });
  return {
    addonName: db.addonName,
    // The ids are not secret (the keys beside them are), and the test compares them with the emulator's list.
    certificateIds: pulumi.unsecret(
      mtls.certificates.apply((c) => Object.fromEntries(Object.entries(c).map(([n, x]) => [n, x.id]))),
    ),
    rules: rules.length,
    credentials: credentials.length,
  };
};

export = program;
