// The policy pack through the real CLI (`--policy-pack` on the packed package's policy-pack folder): a compliant
// stack passes; for each policy a stack that breaks it fails the preview (mandatory) or warns (advisory), naming
// the resource, the rule and the fix, and no preview makes a call that changes anything at Heroku.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TYPE_TOKENS } from "heroku-pg-secure";
import { runStack, type StackOptions, type StackResult } from "../support/pulumi";
import { startServices, type Services } from "../support/services";
import { controlJson, mutatingRequests, startOver } from "./emulator-client";
import { printedViolations, type PrintedViolation } from "./policy-output";
import { stackOptions, testProgram } from "./fixture";

jest.setTimeout(30 * 60_000);

const PACK = ".run/pkg/node_modules/heroku-pg-secure/policy-pack";
const DAY_MS = 24 * 60 * 60 * 1000;
const daysAgo = (n: number): string => new Date(Date.now() - n * DAY_MS).toISOString().slice(0, 10);

let s: Services;
let workDir: string;
let devConfig: string;

function stack(config: Record<string, string> = {}, extra: Partial<StackOptions> = {}): StackOptions {
  return stackOptions(testProgram("policy", "hps-policy"), { workDir, env: s.env }, "dev-policy", {
    config: { rotationTrigger: daysAgo(0), ...config },
    resetConfig: true,
    policyPacks: [PACK],
    policyPackConfigs: [devConfig],
    ...extra,
  });
}

/** A preview, asserting it made no mutating Heroku call; the violations it printed. */
async function preview(opts: StackOptions): Promise<{ result: StackResult; violations: PrintedViolation[] }> {
  await controlJson(s, "DELETE", "/requests");
  const result = await runStack("preview", opts);
  expect(await mutatingRequests(s)).toEqual([]);
  expect(result.log).toContain("Policy Packs run");
  return { result, violations: printedViolations(result.log) };
}

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "hps-e2e-policy-"));
  devConfig = path.join(workDir, "policy-dev.json");
  fs.writeFileSync(devConfig, JSON.stringify({ "read-write-apps": { allowedApps: ["acme-reports"] } }));
  s = await startServices();
  await startOver(s);
});
afterAll(async () => {
  await s?.stop();
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

test("a compliant stack passes every policy", async () => {
  const { result, violations } = await preview(stack());
  expect(result.error).toBeUndefined();
  expect(violations).toEqual([]);
});

interface Case {
  policy: string;
  config: Record<string, string>;
  stack?: string;
  type: string;
  name: string;
  message: RegExp;
}

test.each<Case>([
  {
    policy: "allowlist-max-width",
    config: { cidr: "10.0.0.0/8" },
    type: TYPE_TOKENS.IpRule,
    name: "policy-rule",
    message: /allows 10\.0\.0\.0\/8, a \/8 block; this stack allows blocks of \/16 or narrower\. Fix: /,
  },
  {
    policy: "allowlist-max-width",
    config: { cidr: "0.0.0.0/0", acknowledgeWideCidr: "true" },
    type: TYPE_TOKENS.IpRule,
    name: "policy-rule",
    message: /allows 0\.0\.0\.0\/0, a \/0 block.*acknowledgeWideCidr does not lift this rule.*Fix: /,
  },
  {
    policy: "customer-key-required",
    config: { customerKey: "false" },
    type: TYPE_TOKENS.SecureDatabase,
    name: "policy-db",
    message: /on heroku-postgresql:private-0 is not encrypted with a customer key\. Fix: set encryptionKeyArn/,
  },
  {
    policy: "key-rotation-enabled",
    config: { keyRotation: "false" },
    type: TYPE_TOKENS.CustomerKey,
    name: "policy-key",
    message: /has automatic rotation off\. Fix: /,
  },
  {
    policy: "external-access-encrypted",
    config: { plan: "heroku-postgresql:standard-0" },
    type: TYPE_TOKENS.SecureDatabase,
    name: "policy-db",
    message:
      /accepts connections from the internet, but has neither mTLS nor Enhanced Certificates\. Fix: set enhancedCertificates: true/,
  },
  {
    policy: "protected-in-stacks",
    config: { protect: "false" },
    stack: "prod-policy",
    type: TYPE_TOKENS.SecureDatabase,
    name: "policy-db",
    message: /is not protected, and stack prod-policy matches \^prod.*Fix: set protect: true/,
  },
])(
  "mandatory $policy fails the preview: $config",
  async ({ policy, config, stack: stackName, type, name, message }) => {
    const { result, violations } = await preview(stack(config, stackName ? { stack: stackName } : {}));
    expect(result.error).toMatch(/preview failed/);
    const mine = violations.filter((v) => v.policy === policy);
    expect(mine).toContainEqual(expect.objectContaining({ level: "mandatory", type, name }));
    expect(mine.find((v) => v.name === name)?.message).toMatch(message);
    // Only the broken rule fires.
    expect(violations.filter((v) => v.policy !== policy)).toEqual([]);
  },
);

test.each<Omit<Case, "type" | "name">>([
  {
    policy: "read-write-apps",
    config: { writerApp: "acme-api" },
    message:
      /is read-write and attached to app acme-api, which is not in this stack's allowedApps \(acme-reports\)\. Fix: /,
  },
  {
    policy: "credential-rotation-age",
    config: { rotationTrigger: daysAgo(200) },
    message:
      /was last rotated on \d{4}-\d\d-\d\d, 200 days ago; this stack allows 90\. Fix: set rotationTrigger to today's date/,
  },
])("advisory $policy warns and the preview passes: $config", async ({ policy, config, message }) => {
  const { result, violations } = await preview(stack(config));
  expect(result.error).toBeUndefined();
  expect(violations).toEqual([
    {
      level: "advisory",
      policy,
      type: TYPE_TOKENS.Credential,
      name: "policy-writer",
      message: expect.stringMatching(message),
    },
  ]);
});

test("a stack's policy-pack config raises a level and changes a setting", async () => {
  const strict = path.join(workDir, "policy-strict.json");
  fs.writeFileSync(
    strict,
    JSON.stringify({ "credential-rotation-age": { enforcementLevel: "mandatory", maxAgeDays: 30 } }),
  );
  const { result, violations } = await preview(
    stack({ rotationTrigger: daysAgo(45) }, { policyPackConfigs: [strict] }),
  );
  expect(result.error).toMatch(/preview failed/);
  expect(violations).toContainEqual(
    expect.objectContaining({ level: "mandatory", policy: "credential-rotation-age", name: "policy-writer" }),
  );
});
