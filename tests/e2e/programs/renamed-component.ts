// A SecurePostgres whose name comes from config, for renaming the whole component without aliases
// (tests/e2e/safety.test.ts). Protected, as the component is by default.
import * as pulumi from "@pulumi/pulumi";
import { SecurePostgres } from "heroku-pg-secure";

const program = async (): Promise<Record<string, unknown>> => {
  const config = new pulumi.Config();
  const pg = new SecurePostgres(config.get("name") ?? "orders", {
    app: "acme-api",
    customerKey: { alias: "alias/renamed-component", deletionWindowInDays: 7 },
    allowedCidrs: [{ cidr: "127.0.0.1/32", description: "runner" }],
    credentials: { analyst: { permissions: "read-only", attachTo: [{ app: "acme-reports", as: "ANALYST_DB" }] } },
    protect: config.getBoolean("protect") ?? true,
  });
  return { addonName: pg.addonName, keyArn: pg.key?.arn };
};

export = program;
