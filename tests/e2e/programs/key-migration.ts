// The SecurePostgres key migration e2e test's stack (tests/e2e/key-migration.test.ts): a component made without a
// customer key, then moved onto one with keyMigration ("follow", "promote", "done") from config.
import * as pulumi from "@pulumi/pulumi";
import { type KeyMigrationPhase, SecurePostgres } from "heroku-pg-secure";

const program = async (): Promise<Record<string, unknown>> => {
  const config = new pulumi.Config();
  const phase = config.get("keyMigration") as KeyMigrationPhase | undefined;
  const pg = new SecurePostgres("orders", {
    app: "acme-api",
    customerKey: phase ? { region: "us-east-1", alias: "alias/key-migration" } : false,
    ...(phase ? { keyMigration: phase } : {}),
  });
  return { addonName: pg.addonName, keyArn: pg.key?.arn };
};

export = program;
