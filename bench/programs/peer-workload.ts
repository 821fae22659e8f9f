// The peer comparison's workload as this project's users write it (bench/peer/main.tf is the same for
// terraform-provider-herokux): on one existing Private database, mTLS with one client certificate, 5 IP rules
// (the address running pulumi, 127.0.0.1, among them) and 3 credentials with no permissions. The SecurePostgres
// component adopts the database (the stack does not create it) and keeps it on destroy, so `up` and `destroy`
// touch the same objects as herokux's `apply` and `destroy`; whatever order and waits the component chooses
// are what is measured.
import * as pulumi from "@pulumi/pulumi";
import { SecurePostgres } from "heroku-pg-secure";

/** The CIDRs of bench/peer/main.tf, in the same order. */
const PEER_CIDRS = ["127.0.0.1/32", "10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24", "10.0.4.0/24"];
/** The credential names of bench/peer/main.tf. */
const PEER_CREDENTIALS = ["bench_01", "bench_02", "bench_03"];

const program = async (): Promise<Record<string, unknown>> => {
  const config = new pulumi.Config();
  const database = config.require("database");
  const pg = new SecurePostgres(
    "peer",
    {
      app: config.get("app") ?? "acme-api",
      plan: "heroku-postgresql:private-0",
      customerKey: false,
      allowedCidrs: PEER_CIDRS.map((cidr) => ({ cidr, description: "benchmark" })),
      clientCertificates: ["app"],
      credentials: Object.fromEntries(PEER_CREDENTIALS.map((name) => [name, { permissions: "none" as const }])),
      adopt: { database },
      protect: false,
    },
    {
      // The database existed before the stack and outlives it, as herokux's `database_name` does: destroy
      // removes it from the state only (Pulumi's retainOnDelete), never from Heroku.
      transformations: [
        ({ type, props, opts }) =>
          type.endsWith("SecureDatabase")
            ? { props, opts: pulumi.mergeOptions(opts, { retainOnDelete: true }) }
            : undefined,
      ],
    },
  );
  return { addonName: pg.addonName };
};

export = program;
