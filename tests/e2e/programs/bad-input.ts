// Resources built from the `cases` config value ([{"type": "...", "name": "...", "args": {...}, "dependsOn": [...]}]),
// so the bad-input test can show that each invalid input fails at `pulumi preview` before anything reaches Heroku
// or KMS. Independent resources are checked in one preview, each reporting its own problem; a component throws
// at construction, so a stack holds one component case at a time.
import * as pulumi from "@pulumi/pulumi";
import * as sdk from "heroku-pg-secure";

type Ctor = new (name: string, args: never, opts?: pulumi.CustomResourceOptions) => pulumi.Resource;
interface Spec {
  type: string;
  name?: string;
  args: Record<string, unknown>;
  /** Names of earlier cases this one depends on. */
  dependsOn?: string[];
}

const program = async (): Promise<void> => {
  const config = new pulumi.Config();
  const specs = config.getObject<Spec[]>("cases") ?? [config.requireObject<Spec>("case")];
  const made = new Map<string, pulumi.Resource>();
  specs.forEach((spec, i) => {
    const ctor = (sdk as unknown as Record<string, Ctor>)[spec.type];
    if (!ctor) throw new Error(`no resource class ${spec.type}`);
    const name = spec.name ?? `subject${i}`;
    const dependsOn = (spec.dependsOn ?? []).map((d) => made.get(d)).filter((r): r is pulumi.Resource => !!r);
    made.set(name, new ctor(name, spec.args as never, { dependsOn }));
  });
};

export = program;
