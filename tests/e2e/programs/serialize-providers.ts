// Runs inside the fixture project (.run/pkg, where the packed package is installed) in plain Node: constructs
// each resource class under Pulumi's mocks, captures the provider text the engine would store in state, then
// loads that text the way the dynamic-provider host does (require-from-string, from this folder) and calls its
// check hook. Prints one JSON line.
import * as pulumi from "@pulumi/pulumi";
import * as sdk from "heroku-pg-secure";

const captured: Record<string, string> = {};

/** One input per type that its check must refuse, naming the property. */
const invalidInputs: Record<string, Record<string, unknown>> = {
  "pulumi-nodejs:dynamic/heroku-pg-secure:CustomerKey": { region: "us-east-1", deletionWindowInDays: 3 },
  "pulumi-nodejs:dynamic/heroku-pg-secure:SecureDatabase": {
    app: "acme-api",
    plan: "heroku-postgresql:standard-0",
    encryptionKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
  },
  "pulumi-nodejs:dynamic/heroku-pg-secure:MtlsConfig": {
    database: "postgresql-x-12345",
    certificateNames: ["bad name"],
  },
  "pulumi-nodejs:dynamic/heroku-pg-secure:Credential": { database: "postgresql-x-12345", name: "default" },
  "pulumi-nodejs:dynamic/heroku-pg-secure:IpRule": {
    database: "postgresql-x-12345",
    cidr: "10.0.0.1/8",
    description: "x",
  },
  "pulumi-nodejs:dynamic/heroku-pg-secure:IpAllowlist": {
    database: "postgresql-x-12345",
    entries: [{ cidr: "10.0.0.1/8", description: "x" }],
  },
};

async function main(): Promise<void> {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        captured[args.type] = String(args.inputs.__provider ?? "");
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: (args) => args.inputs,
    },
    "serialization",
    "test",
    true,
  );
  const key = new sdk.CustomerKey("key", { region: "us-east-1" });
  const db = new sdk.SecureDatabase("db", {
    app: "acme-api",
    plan: "heroku-postgresql:private-0",
    encryptionKeyArn: key.arn,
  });
  const resources: pulumi.Resource[] = [
    key,
    db,
    new sdk.MtlsConfig("mtls", { database: db.addonName, certificateNames: ["bi-tool"] }),
    new sdk.IpRule("office", { database: db.addonName, cidr: "203.0.113.0/24", description: "office" }),
    new sdk.IpAllowlist("allowlist", {
      database: db.addonName,
      entries: [{ cidr: "198.51.100.0/24", description: "partner" }],
    }),
    new sdk.Credential("analyst", { database: db.addonName, name: "analyst", permissions: "read-only" }),
  ];
  // A resource's URN resolves once the mock has registered it, so every provider text is captured after this.
  await Promise.all(resources.map((r) => new Promise((resolve) => r.urn.apply(resolve))));

  // The host's loader: pulumi/cmd/dynamic-provider uses require-from-string, relative to its working directory.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- resolved from @pulumi/pulumi, as the host does
  const requireFromString = require(
    require.resolve("require-from-string", {
      paths: [require.resolve("@pulumi/pulumi")],
    }),
  ) as (code: string) => { handler: () => Record<string, unknown> };
  const results: Record<string, { text: string; hooks: string[]; checkFailures: unknown }> = {};
  for (const [type, text] of Object.entries(captured)) {
    const provider = requireFromString(text).handler();
    const hooks = Object.keys(provider)
      .filter((k) => typeof provider[k] === "function")
      .sort();
    const check = provider.check as (olds: unknown, news: unknown) => Promise<{ failures?: unknown }>;
    const checked = await check({}, invalidInputs[type] ?? {});
    results[type] = { text, hooks, checkFailures: checked.failures };
  }
  process.stdout.write(`RESULT:${JSON.stringify(results)}\n`);
}

main().catch((err: unknown) => {
  process.stdout.write(`RESULT:${JSON.stringify({ error: err instanceof Error ? err.stack : String(err) })}\n`);
  process.exitCode = 1;
});
