// One resource built from the `case` config value ({"type": "...", "args": {...}}), so the bad-input test can
// show that each invalid input fails at `pulumi preview` before anything reaches Heroku or KMS.
import * as pulumi from "@pulumi/pulumi";
import * as sdk from "heroku-pg-secure";

type Ctor = new (name: string, args: never, opts?: pulumi.CustomResourceOptions) => pulumi.Resource;

const program = async (): Promise<void> => {
  const spec = new pulumi.Config().requireObject<{ type: string; args: Record<string, unknown> }>("case");
  const ctor = (sdk as unknown as Record<string, Ctor>)[spec.type];
  if (!ctor) throw new Error(`no resource class ${spec.type}`);
  new ctor("subject", spec.args as never);
};

export = program;
