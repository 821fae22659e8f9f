// A preview shows only what `up` will do (issue 18): for each in-place change of each resource type on a
// demo-shaped stack, the preview's steps are exactly the steps of the `up` that follows, and nothing is replaced.
// The cause this guards against: a dynamic resource's outputs are all unknown in the preview of its update, so a
// child wired from them would preview as replaced; children take the parent's id instead (known throughout).
import { runStack, type StackOptions, stepsOf } from "../support/pulumi";
import { e2eFixture, stackOptions, testProgram } from "./fixture";

jest.setTimeout(30 * 60_000);

const fixture = e2eFixture("fidelity");

function stack(config: Record<string, string>): StackOptions {
  return stackOptions(
    testProgram("in-place", "hps-fidelity"),
    { workDir: fixture.workDir, env: fixture.s.env },
    "fidelity",
    {
      config,
      resetConfig: true,
    },
  );
}

test("each in-place change previews exactly the updates its up performs, with no replacement anywhere", async () => {
  let config: Record<string, string> = {};
  const first = await runStack("up", stack(config));
  expect(first.error).toBeUndefined();

  const changes: [string, Record<string, string>, string[]][] = [
    ["key alias", { keyAlias: "alias/fidelity-v2" }, ["update fidelity-key"]],
    ["key rotation period", { rotationPeriod: "180" }, ["update fidelity-key"]],
    ["key description", { keyDescription: "fidelity test, reworded" }, ["update fidelity-key"]],
    ["key tags", { keyTag: "payments" }, ["update fidelity-key"]],
    ["credential permissions", { analystPermissions: "read-write" }, ["update fidelity-credential-analyst"]],
    ["credential attachments", { analystApps: "acme-reports,acme-eu" }, ["update fidelity-credential-analyst"]],
    ["mTLS certificate names", { certificates: "bi-tool,ci-runner,etl" }, ["update fidelity-mtls"]],
    ["Enhanced Certificates on a database without mTLS", { enhancedCertificates: "true" }, ["update fidelity-plain"]],
    ["database timeouts", { createTimeout: "30m" }, ["update fidelity-plain"]],
  ];
  for (const [what, change, expected] of changes) {
    config = { ...config, ...change };
    const preview = await runStack("preview", stack(config));
    expect({ what, error: preview.error }).toEqual({ what, error: undefined });
    const up = await runStack("up", stack(config));
    expect({ what, error: up.error }).toEqual({ what, error: undefined });
    expect({ what, preview: stepsOf(preview) }).toEqual({ what, preview: stepsOf(up) });
    expect({ what, up: stepsOf(up) }).toEqual({ what, up: expected });
  }
  const settled = await runStack("preview", { ...stack(config), expectNoChanges: true });
  expect(settled.error).toBeUndefined();
  const destroyed = await runStack("destroy", stack(config));
  expect(destroyed.error).toBeUndefined();
});
