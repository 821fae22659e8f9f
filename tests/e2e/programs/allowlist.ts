// The allowlist e2e stack (tests/e2e/ip-allowlist.test.ts): one SecurePostgres "pg" without a customer key, with
// mTLS, the blocks of config `blocks` (JSON), one client certificate and two credentials. With config
// `mode: legacy` the same component is declared the way SecurePostgres did before it used an IpAllowlist (0.x):
// the same type and children, one IpRule per block, credentials depending on mTLS and every rule, so a test can
// upgrade a stack made by the old component to the current one.
import * as pulumi from "@pulumi/pulumi";
import { Credential, IpRule, MtlsConfig, SecureDatabase, SecurePostgres, TYPE_TOKENS } from "heroku-pg-secure";

interface Block {
  cidr: string;
  description: string;
}

interface LegacyArgs {
  app: string;
  plan: string;
  allowedCidrs: Block[];
  clientCertificates: string[];
  credentials: Record<string, { permissions: "none" | "read-only" | "read-write" }>;
}

/** SecurePostgres's children as the 0.x releases declared them, for a stack made before the allowlist. */
class LegacySecurePostgres extends pulumi.ComponentResource {
  constructor(name: string, args: LegacyArgs) {
    super(TYPE_TOKENS.SecurePostgres, name, {}, {});
    const child = { parent: this };
    const database = new SecureDatabase(
      `${name}-db`,
      { app: args.app, plan: args.plan, encryptionKeyArn: undefined, enhancedCertificates: false },
      { ...child, protect: false },
    );
    const mtls = new MtlsConfig(
      `${name}-mtls`,
      { database: database.id, certificateNames: args.clientCertificates },
      child,
    );
    const rules = args.allowedCidrs.map(
      (b) =>
        new IpRule(
          `${name}-ip-${b.cidr.replace(/[./]/g, "-")}`,
          { database: database.id, cidr: b.cidr, description: b.description, acknowledgeWideCidr: undefined },
          { ...child, dependsOn: [mtls] },
        ),
    );
    for (const [credName, c] of Object.entries(args.credentials)) {
      new Credential(
        `${name}-credential-${credName}`,
        {
          database: database.id,
          name: credName,
          permissions: c.permissions,
          schemas: undefined,
          attachments: [],
          rotationTrigger: undefined,
          forceRotation: undefined,
        },
        { ...child, dependsOn: [mtls, ...rules] },
      );
    }
    this.registerOutputs({});
  }
}

const program = async (): Promise<Record<string, unknown>> => {
  const config = new pulumi.Config();
  const blocks = JSON.parse(config.require("blocks")) as Block[];
  const args = {
    app: "acme-api",
    plan: "heroku-postgresql:private-0",
    customerKey: false as const,
    allowedCidrs: blocks,
    clientCertificates: ["ci"],
    credentials: {
      audit: { permissions: "none" as const },
      analyst: { permissions: "read-only" as const },
    },
    protect: false,
  };
  if (config.get("mode") === "legacy") {
    new LegacySecurePostgres("pg", args);
    return {};
  }
  const pg = new SecurePostgres("pg", args);
  return {
    addonName: pg.addonName,
    rules: pg.allowlist?.rules,
    analystLevels: pg.credentials.analyst?.effectivePermissions,
  };
};

export = program;
