// examples/environments through the real CLI, for both stacks: each stack's own Pulumi.<stack>.yaml and policy
// config; the preview passes the policy pack without a mutating call, `up` applies under the pack, and a second
// preview shows no change. A prod-only rule (blocks /24 or narrower) fails a preview that dev would allow.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runStack, type StackOptions } from "../support/pulumi";
import { startServices, type Services } from "../support/services";
import { controlJson, herokuJson, mutatingRequests, startOver } from "./emulator-client";
import { printedViolations } from "./policy-output";
import { stackOptions, PROGRAMS } from "./fixture";

jest.setTimeout(30 * 60_000);

const EXAMPLE = "examples/environments";
const PACK = ".run/pkg/node_modules/heroku-pg-secure/policy-pack";

let s: Services;
let workDir: string;

function stack(name: "dev" | "prod", extra: Partial<StackOptions> = {}): StackOptions {
  return stackOptions(PROGRAMS.environments, { workDir, env: s.env }, name, {
    stackSettings: `${EXAMPLE}/Pulumi.${name}.yaml`,
    // The example's dates age; the test rotates "today" so the rotation-age policy judges a fresh stack.
    config: { rotation: new Date().toISOString().slice(0, 10) },
    policyPacks: [PACK],
    policyPackConfigs: [`${EXAMPLE}/policy-${name}.json`],
    ...extra,
  });
}

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "hps-e2e-environments-"));
  s = await startServices();
  await startOver(s);
});
afterAll(async () => {
  await s?.stop();
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

test.each(["dev", "prod"] as const)(
  "the %s stack passes its policy pack config, applies, and stays put",
  async (name) => {
    await controlJson(s, "DELETE", "/requests");
    const preview = await runStack("preview", stack(name));
    expect(preview.error).toBeUndefined();
    expect(preview.log).toContain("Policy Packs run");
    expect(printedViolations(preview.log).filter((v) => v.level === "mandatory")).toEqual([]);
    expect(await mutatingRequests(s)).toEqual([]);

    const up = await runStack("up", stack(name));
    expect(up.error).toBeUndefined();
    const again = await runStack("preview", stack(name, { expectNoChanges: true }));
    expect(again.error).toBeUndefined();
  },
);

test("each stack got its own plan, credentials and protection", async () => {
  const plans = async (app: string): Promise<string[]> =>
    // The app's list also shows add-ons attached to it from other apps; count those it owns.
    (await herokuJson<{ app: { name: string }; plan: { name: string } }[]>(s, "GET", `/apps/${app}/addons`))
      .filter((a) => a.app.name === app)
      .map((a) => a.plan.name);
  expect(await plans("acme-reports")).toEqual(["heroku-postgresql:private-0"]);
  expect(await plans("acme-api")).toEqual(["heroku-postgresql:private-2"]);
  const reports = await herokuJson<Record<string, string>>(s, "GET", "/apps/acme-reports/config-vars");
  expect(Object.keys(reports)).toEqual(expect.arrayContaining(["DEV_ANALYST_DB_URL", "ANALYST_DB_URL"]));
  const api = await herokuJson<Record<string, string>>(s, "GET", "/apps/acme-api/config-vars");
  expect(Object.keys(api)).toContain("WRITER_DB_URL");

  const exported = await runStack("export", stack("prod"));
  const protectedTypes = (exported.deployment?.deployment.resources ?? [])
    .filter((r) => (r as { protect?: boolean }).protect === true)
    .map((r) => r.type.split(":").at(-1));
  expect(protectedTypes.sort()).toEqual(["CustomerKey", "SecureDatabase"]);
});

test("prod's stricter config refuses a block that dev's allows", async () => {
  const wide = path.join(workDir, "Pulumi.prod.yaml");
  const text = fs.readFileSync(`${EXAMPLE}/Pulumi.prod.yaml`, "utf8").replace("203.0.113.10/32", "203.0.112.0/22");
  fs.writeFileSync(wide, text);
  await controlJson(s, "DELETE", "/requests");
  const preview = await runStack("preview", stack("prod", { stackSettings: wide }));
  expect(preview.error).toMatch(/preview failed/);
  expect(printedViolations(preview.log)).toEqual([
    expect.objectContaining({
      level: "mandatory",
      policy: "allowlist-max-width",
      message: expect.stringMatching(/203\.0\.112\.0\/22, a \/22 block; this stack allows blocks of \/24/),
    }),
  ]);
  expect(await mutatingRequests(s)).toEqual([]);
});
