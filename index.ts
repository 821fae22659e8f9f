// The demo stack (Pulumi.yaml), run by `bash scripts/demo.sh` against the local Heroku emulator: one
// SecurePostgres with a customer-managed key, mTLS from two address blocks with two client certificates, and a
// read-only and a read-write credential attached to the reporting app.
import * as pulumi from "@pulumi/pulumi";
import { certificateFiles, SecurePostgres } from "heroku-pg-secure";

const program = async (): Promise<Record<string, unknown>> => {
  const config = new pulumi.Config();
  const reportingApp = config.get("reportingApp") ?? "acme-reports";
  const pg = new SecurePostgres("orders", {
    app: config.get("app") ?? "acme-api",
    plan: "heroku-postgresql:private-0",
    customerKey: {
      region: config.get("region") ?? "us-east-1",
      alias: config.get("keyAlias") ?? "alias/orders-db",
      // A demo cleans up after itself: `demo.sh destroy` schedules the key's deletion. Keys of real stacks stay
      // in KMS when removed unless they say this too.
      removalPolicy: "schedule-deletion",
      deletionWindowInDays: 7,
    },
    allowedCidrs: [
      { cidr: "127.0.0.1/32", description: "this machine" },
      { cidr: "198.51.100.0/24", description: "office" },
    ],
    clientCertificates: ["bi-tool", "ci-runner"],
    credentials: {
      analyst: { permissions: "read-only", attachTo: [reportingApp] },
      reporting: { permissions: "read-write", attachTo: [{ app: reportingApp, as: "REPORTING_DB" }] },
    },
    protect: config.getBoolean("protect") ?? true,
  });
  // What `heroku data:mtls:certificates:download --prefix bi-tool_ --dir <certDir>` writes, for the BI tool.
  const certDir = config.get("certDir");
  const files = certDir && pg.mtls ? certificateFiles(pg.mtls, "bi-tool", certDir) : undefined;
  return {
    keyArn: pg.key?.arn,
    addonName: pg.addonName,
    mtlsStatus: pg.mtlsStatus,
    allowedCidrs: pg.allowlist ? pg.allowlist.entries.apply((e) => Object.keys(e).sort()) : [],
    clientCertificates: pg.mtls?.certificateNames,
    analystUrl: pg.credentials.analyst?.url,
    analystConfigVars: pg.credentials.analyst?.attachmentConfigVars.apply((a) => a.map((x) => x.configVar)),
    reportingUrl: pg.credentials.reporting?.url,
    certificateFiles: files,
  };
};

export = program;
