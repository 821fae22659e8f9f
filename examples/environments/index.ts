// One SecurePostgres whose every difference between environments is stack config (Pulumi.dev.yaml,
// Pulumi.prod.yaml): plan, allowlist, credentials, protection. The program itself is the same for every stack.
import * as pulumi from "@pulumi/pulumi";
import { SecurePostgres, type AllowedCidr, type SecurePostgresCredentialArgs } from "heroku-pg-secure";

const program = async (): Promise<Record<string, unknown>> => {
  const config = new pulumi.Config();
  const rotation = config.require("rotation");
  const credentials = config.requireObject<Record<string, SecurePostgresCredentialArgs>>("credentials");
  const db = new SecurePostgres("orders", {
    app: config.require("app"),
    plan: config.require("plan"),
    customerKey: { alias: config.require("keyAlias") },
    allowedCidrs: config.requireObject<AllowedCidr[]>("allowedCidrs"),
    clientCertificates: ["ci-runner"],
    credentials: Object.fromEntries(
      Object.entries(credentials).map(([name, c]) => [name, { ...c, rotationTrigger: rotation }]),
    ),
    protect: config.requireBoolean("protect"),
  });
  return {
    addonName: db.addonName,
    credentialUsers: Object.fromEntries(Object.entries(db.credentials).map(([name, c]) => [name, c.username])),
  };
};

export = program;
