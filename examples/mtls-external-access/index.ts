// A Private-space database reached from outside Heroku over mutual TLS: one client certificate per consumer,
// the office and CI addresses allowlisted, and each consumer's certificate files written where it expects them.
import * as pulumi from "@pulumi/pulumi";
import { certificateFiles, IpRule, MtlsConfig, SecureDatabase } from "heroku-pg-secure";

/** "203.0.113.0/24:office,198.51.100.7/32:ci" -> [{cidr, description}] */
function parseCidrs(text: string): { cidr: string; description: string }[] {
  return text
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "")
    .map((entry) => {
      const [cidr = "", description = cidr] = entry.split(":");
      return { cidr, description };
    });
}

const program = async (): Promise<Record<string, unknown>> => {
  const config = new pulumi.Config();
  const names = (config.get("certificateNames") ?? "bi-tool,ci-runner").split(",").filter((n) => n !== "");
  const cidrs = parseCidrs(config.get("cidrs") ?? "203.0.113.0/24:office");
  // Optional wait limits for mTLS and the rules, e.g. {"create": "30m"} (Pulumi's customTimeouts do not reach them).
  const timeouts = config.getObject<{ create?: string; update?: string; delete?: string }>("timeouts");

  const db = new SecureDatabase("warehouse", {
    app: config.get("app") ?? "acme-api",
    plan: config.get("plan") ?? "heroku-postgresql:private-0",
  });
  const mtls = new MtlsConfig("warehouse-mtls", {
    database: db.addonName,
    certificateNames: names,
    // After an mTLS create timed out, set adoptMtls=true to take over the endpoint it left enabled.
    adoptExisting: config.getBoolean("adoptMtls"),
    timeouts,
  });
  const rules = cidrs.map(
    ({ cidr, description }) =>
      // Named after the CIDR, so changing a description replaces that one rule and nothing else.
      new IpRule(
        `allow-${cidr.replace(/[./]/g, "-")}`,
        { database: db.addonName, cidr, description, timeouts },
        { dependsOn: [mtls] },
      ),
  );

  // What `heroku data:mtls:certificates:download --prefix <name>_ --dir <certDir>` would write, per consumer.
  const certDir = config.get("certDir");
  const files = certDir ? Object.fromEntries(names.map((name) => [name, certificateFiles(mtls, name, certDir)])) : {};

  return {
    addonName: db.addonName,
    // Clients read the URL from this config var (Dev Center: `heroku config:get`); it stays the same when mTLS is
    // enabled, and then needs a client certificate.
    configVarName: db.configVarName,
    mtlsStatus: mtls.status,
    certificateAuthorityChain: mtls.certificateAuthorityChain,
    certificateIds: mtls.certificates.apply((certs) =>
      Object.fromEntries(Object.entries(certs).map(([name, c]) => [name, c.id])),
    ),
    allowed: rules.map((r) => r.cidr),
    files,
  };
};

export = program;
