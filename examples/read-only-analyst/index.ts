// A database with a read-only analyst, a read-write reporter and a no-access auditor, attached to the reporting
// app and rotated whenever the `rotation` config value changes.
import * as pulumi from "@pulumi/pulumi";
import { Credential, SecureDatabase } from "heroku-pg-secure";

const program = async (): Promise<Record<string, unknown>> => {
  const config = new pulumi.Config();
  const db = new SecureDatabase("analytics-db", {
    app: config.get("app") ?? "acme-api",
    plan: config.get("plan") ?? "heroku-postgresql:private-0",
  });
  const outputs: Record<string, unknown> = { addonName: db.addonName, ownerUrl: db.connectionUrl };
  if (config.getBoolean("credentials") === false) return outputs;

  const reportsApp = config.get("reportsApp") ?? "acme-reports";
  const rotation = {
    rotationTrigger: config.get("rotation"),
    forceRotation: config.getBoolean("forceRotation") ?? false,
  };
  const analyst = new Credential("analyst", {
    database: db.addonName,
    name: "analyst",
    permissions: "read-only",
    attachments: [{ app: reportsApp, name: "ANALYST_DB" }],
    ...rotation,
  });
  const reporter = new Credential("reporter", {
    database: db.addonName,
    name: "reporter",
    permissions: "read-write",
    attachments: [{ app: reportsApp, name: "REPORTER_DB" }],
    ...rotation,
  });
  const auditor = new Credential("auditor", { database: db.addonName, name: "auditor", permissions: "none" });
  return {
    ...outputs,
    analystUrl: analyst.url,
    analystUser: analyst.username,
    analystConfigVars: analyst.attachmentConfigVars,
    reporterUrl: reporter.url,
    auditorUrl: auditor.url,
  };
};

export = program;
