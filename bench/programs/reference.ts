// The benchmark's reference stack: one CustomerKey, one Private SecureDatabase encrypted with it, MtlsConfig with
// two client certificates, `rules` IpRules and `credentials` Credentials (config; 60 and 20 by default). IP rules
// wait for mTLS (they only work once it is Operational); credentials wait for mTLS and the loopback rule, because
// the provider applies their grants over mTLS from the address running pulumi (127.0.0.1). Everything else runs in
// parallel, so the critical path is key -> add-on -> mTLS (+ certificates) -> loopback rule -> credential.
import * as pulumi from "@pulumi/pulumi";
import { Credential, CustomerKey, IpRule, MtlsConfig, SecureDatabase } from "heroku-pg-secure";

const program = async (): Promise<Record<string, unknown>> => {
  const config = new pulumi.Config();
  const ruleCount = config.getNumber("rules") ?? 60;
  const credentialCount = config.getNumber("credentials") ?? 20;

  const key = new CustomerKey("bench-key", { description: "heroku-pg-secure benchmark" });
  const db = new SecureDatabase("bench-db", {
    app: config.get("app") ?? "acme-api",
    plan: "heroku-postgresql:private-0",
    encryptionKeyArn: key.arn,
    enhancedCertificates: false,
  });
  const mtls = new MtlsConfig("bench-mtls", { database: db.addonName, certificateNames: ["app", "ci"] });
  const cidrs = ["127.0.0.1/32"];
  for (let i = 1; cidrs.length < ruleCount; i++) cidrs.push(`10.${Math.floor(i / 250)}.${i % 250}.0/24`);
  const rules = cidrs
    .slice(0, ruleCount)
    .map(
      (cidr) =>
        new IpRule(
          `bench-rule-${cidr.replace(/[./]/g, "-")}`,
          { database: db.addonName, cidr, description: "benchmark" },
          { dependsOn: [mtls] },
        ),
    );
  const loopback = rules.slice(0, 1);
  const credentials = Array.from(
    { length: credentialCount },
    (_, i) =>
      new Credential(
        `bench-credential-${i + 1}`,
        { database: db.addonName, name: `bench_${String(i + 1).padStart(2, "0")}`, permissions: "read-only" },
        { dependsOn: [mtls, ...loopback] },
      ),
  );
  return { addonName: db.addonName, rules: rules.length, credentials: credentials.length };
};

export = program;
