// The benchmark's reference stack: one CustomerKey, one Private SecureDatabase encrypted with it, MtlsConfig with
// two client certificates, one IpAllowlist of `rules` blocks and `credentials` Credentials (config; 60 and 20 by
// default), wired as SecurePostgres wires them (sdk/secure-postgres.ts): MtlsConfig returns once mTLS is enabled
// and its certificates are ready, the allowlist posts every rule then and waits for them and the endpoint
// together, and the credentials, which apply read-only grants over mTLS from the address running pulumi
// (127.0.0.1, the first block), wait for the allowlist. The critical path is key -> add-on -> certificates ->
// max(rules, endpoint) -> credential.
import * as pulumi from "@pulumi/pulumi";
import { Credential, CustomerKey, IpAllowlist, MtlsConfig, SecureDatabase } from "heroku-pg-secure";

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
  const mtls = new MtlsConfig("bench-mtls", {
    database: db.id,
    certificateNames: ["app", "ci"],
    waitForOperational: false,
  });
  const cidrs = ["127.0.0.1/32"];
  for (let i = 1; cidrs.length < ruleCount; i++) cidrs.push(`10.${Math.floor(i / 250)}.${i % 250}.0/24`);
  const allowlist = new IpAllowlist(
    "bench-allowlist",
    { database: db.id, entries: cidrs.slice(0, ruleCount).map((cidr) => ({ cidr, description: "benchmark" })) },
    { dependsOn: [mtls] },
  );
  const credentials = Array.from(
    { length: credentialCount },
    (_, i) =>
      new Credential(
        `bench-credential-${i + 1}`,
        { database: db.id, name: `bench_${String(i + 1).padStart(2, "0")}`, permissions: "read-only" },
        { dependsOn: [allowlist] },
      ),
  );
  return { addonName: db.addonName, rules: ruleCount, credentials: credentials.length };
};

export = program;
