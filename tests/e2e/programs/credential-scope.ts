// One database with the credentials `analyst` and `reporting`, for the many-stacks e2e test
// (tests/e2e/credential-scope.test.ts): each stack's credentials belong to its own database, as on Heroku.
import * as pulumi from "@pulumi/pulumi";
import { Credential, SecureDatabase } from "heroku-pg-secure";

const program = async (): Promise<Record<string, unknown>> => {
  const config = new pulumi.Config();
  const name = config.get("addonName");
  const db = new SecureDatabase("scope-db", {
    app: config.require("app"),
    plan: "heroku-postgresql:private-0",
    enhancedCertificates: false,
    ...(name ? { name } : {}),
  });
  for (const credential of ["analyst", "reporting"]) {
    new Credential(`scope-${credential}`, { database: db.id, name: credential, permissions: "read-only" });
  }
  return { addonName: db.addonName };
};

export = program;
