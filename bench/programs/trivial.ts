// The engine's own overhead: as many dynamic resources as the reference stack (bench/programs/reference.ts), in
// the same dependency shape, served by a tiny provider of its own that does nothing. `up` time of this stack is
// what Pulumi itself costs (engine, plugin start-up, serialization, state writes) and is subtracted from the
// reference stack's.
import * as pulumi from "@pulumi/pulumi";

const nothing: pulumi.dynamic.ResourceProvider = {
  async create(inputs: Record<string, unknown>) {
    return { id: String(inputs.name), outs: inputs };
  },
};

class Nothing extends pulumi.dynamic.Resource {
  constructor(name: string, opts?: pulumi.CustomResourceOptions) {
    super(nothing, name, { name }, opts);
  }
}

const program = async (): Promise<Record<string, unknown>> => {
  const config = new pulumi.Config();
  const credentialCount = config.getNumber("credentials") ?? 20;
  const key = new Nothing("key");
  const db = new Nothing("db", { dependsOn: [key] });
  const mtls = new Nothing("mtls", { dependsOn: [db] });
  const allowlist = new Nothing("allowlist", { dependsOn: [mtls] });
  Array.from({ length: credentialCount }, (_, i) => new Nothing(`credential-${i + 1}`, { dependsOn: [allowlist] }));
  return { resources: 4 + credentialCount };
};

export = program;
