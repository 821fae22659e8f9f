import * as fs from "node:fs";
import * as path from "node:path";
import { TYPE_TOKENS, kindOfType } from "../../../sdk/type-tokens";
import { POLICIES } from "../../../policy/config";
import {
  checkAllowlistWidth,
  checkCustomerKey,
  checkKeyRotation,
  checkProtection,
  checkReadWriteApps,
  checkRotationAge,
  rotationAgeDays,
  type ResourceView,
} from "../../../policy/rules";
import { UNKNOWN } from "../../../policy/settle";
import { checkExternalAccess, type StackResourceView } from "../../../policy/stack-rules";

const r = (
  kind: ResourceView["kind"],
  props: Record<string, unknown>,
  extra: Partial<ResourceView> = {},
): ResourceView => ({
  kind,
  name: "x",
  stack: "dev",
  props,
  protect: false,
  ...extra,
});
const NOW = new Date("2026-03-01T12:00:00Z");

test.each([
  [{ cidr: "203.0.113.0/24" }, 16, 0],
  [{ cidr: "10.0.0.0/16" }, 16, 0],
  [{ cidr: "10.0.0.0/15" }, 16, 1],
  [{ cidr: "0.0.0.0/0", acknowledgeWideCidr: true }, 0, 0],
  [{ cidr: "0.0.0.0/0", acknowledgeWideCidr: true }, 8, 1],
  [{ cidr: "10.1.2.3/8" }, 16, 0], // malformed: the resource's own check refuses it
  [{ cidr: UNKNOWN }, 16, 0],
])("allowlist %j with minPrefix %d: %d violations", (props, minPrefix, n) => {
  expect(checkAllowlistWidth(r("IpRule", props), { minPrefix })).toHaveLength(n);
});

test.each([
  [
    "a checked allowlist (keyed by CIDR)",
    { entries: { "203.0.113.0/24": { description: "a" }, "10.0.0.0/15": { description: "b" } } },
    1,
  ],
  [
    "a declared list",
    {
      entries: [
        { cidr: "10.0.0.0/15", description: "b" },
        { cidr: "0.0.0.0/0", acknowledgeWideCidr: true },
      ],
    },
    2,
  ],
  ["an unknown list (preview)", { entries: UNKNOWN }, 0],
  ["an unknown block", { entries: [{ cidr: UNKNOWN, description: "x" }] }, 0],
])("IpAllowlist, %s: %d violations at minPrefix 16, one per wide block", (_label, props, n) => {
  expect(checkAllowlistWidth(r("IpAllowlist", props), { minPrefix: 16 })).toHaveLength(n);
});

test("an IpAllowlist's message names the resource and the block", () => {
  expect(
    checkAllowlistWidth(r("IpAllowlist", { entries: { "10.0.0.0/8": { description: "vpc" } } }), { minPrefix: 16 }),
  ).toEqual([
    'IpAllowlist "x" allows 10.0.0.0/8, a /8 block; this stack allows blocks of /16 or narrower. Fix: allowlist the ' +
      "narrower blocks the clients really use, or lower minPrefix for this stack in its policy-pack config.",
  ]);
});

test("allowlist message names the resource, the block, the limit and the fix", () => {
  expect(checkAllowlistWidth(r("IpRule", { cidr: "0.0.0.0/0", acknowledgeWideCidr: true }), { minPrefix: 24 })).toEqual(
    [
      'IpRule "x" allows 0.0.0.0/0, a /0 block; this stack allows blocks of /24 or narrower (acknowledgeWideCidr ' +
        "does not lift this rule). Fix: allowlist the narrower blocks the clients really use, or lower minPrefix for " +
        "this stack in its policy-pack config.",
    ],
  );
});

test.each([
  [{ plan: "heroku-postgresql:private-0" }, 1],
  [{ plan: "heroku-postgresql:shield-4" }, 1],
  [{ plan: "heroku-postgresql:private-0", encryptionKeyArn: "arn:aws:kms:us-east-1:1:key/k" }, 0],
  [{ plan: "heroku-postgresql:private-0", encryptionKeyArn: UNKNOWN }, 0],
  [{ plan: "heroku-postgresql:standard-0" }, 0],
])("customer key on %j: %d", (props, n) => {
  expect(checkCustomerKey(r("SecureDatabase", props), { tiers: ["private", "shield"] })).toHaveLength(n);
});

test.each([
  [{}, 0],
  [{ enableKeyRotation: true, rotationPeriodInDays: 365 }, 0],
  [{ enableKeyRotation: false }, 1],
  [{ rotationPeriodInDays: 730 }, 1],
])("key rotation %j: %d", (props, n) => {
  expect(checkKeyRotation(r("CustomerKey", props), { maxRotationPeriodDays: 365 })).toHaveLength(n);
});

test.each([
  [{ permissions: "read-write", attachments: [{ app: "a" }, { app: "b" }] }, ["a"], 1],
  [{ permissions: "read-write", attachments: [{ app: "a" }] }, ["a"], 0],
  [{ permissions: "read-only", attachments: [{ app: "b" }] }, [], 0],
  [{ permissions: "read-write", attachments: [{ app: UNKNOWN }] }, [], 0],
])("read-write %j allowed %j: %d", (props, allowedApps, n) => {
  expect(checkReadWriteApps(r("Credential", props), { allowedApps })).toHaveLength(n);
});

test.each([
  ["SecureDatabase", "prod", false, 1],
  ["CustomerKey", "prod-eu", false, 1],
  ["SecureDatabase", "prod", true, 0],
  ["SecureDatabase", "dev", false, 0],
  ["IpRule", "prod", false, 0],
] as const)("protection of a %s in stack %s (protect %s): %d", (kind, stack, protect, n) => {
  expect(checkProtection(r(kind, {}, { stack, protect }), { stackPattern: "^prod" })).toHaveLength(n);
});

test.each([
  ["2026-03-01", 0],
  ["2026-02-01", 28],
  ["2025-12-01-after-incident", 90],
  ["q1", 'rotationTrigger "q1" does not start with a date (YYYY-MM-DD)'],
  ["2026-13-45", 'rotationTrigger "2026-13-45" does not start with a date (YYYY-MM-DD)'],
])("rotation age of %s", (trigger, expected) => {
  expect(rotationAgeDays(trigger, NOW)).toEqual(expected);
});

test.each([
  [{ rotationTrigger: "2026-02-01" }, []],
  [{ rotationTrigger: UNKNOWN }, []],
  [
    { rotationTrigger: "2025-11-01" },
    [
      'Credential "x" was last rotated on 2025-11-01, 120 days ago; this stack allows 90. Fix: set rotationTrigger ' +
        'to today\'s date ("2026-03-01"), which rotates the password now.',
    ],
  ],
  [
    {},
    [
      'Credential "x" has no rotationTrigger, so nothing records when its password was last rotated. Fix: set ' +
        'rotationTrigger to today\'s date ("2026-03-01"), which rotates the password now.',
    ],
  ],
])("rotation %j", (props, expected) => {
  expect(checkRotationAge(r("Credential", props), { maxAgeDays: 90 }, NOW)).toEqual(expected);
});

describe("external access", () => {
  const v = (kind: ResourceView["kind"], name: string, props: Record<string, unknown>, dependsOn: string[] = []) =>
    ({ ...r(kind, props, { name }), urn: `urn:${name}`, databaseDependsOn: dependsOn }) as StackResourceView;
  const cfg = { externalDatabases: [], publicTiers: ["essential", "standard", "premium"] };
  test.each([
    ["standard without EC", [v("SecureDatabase", "db", { plan: "heroku-postgresql:standard-0" })], cfg, ["urn:db"]],
    [
      "standard with EC",
      [v("SecureDatabase", "db", { plan: "heroku-postgresql:standard-0", enhancedCertificates: true })],
      cfg,
      [],
    ],
    ["private, not declared", [v("SecureDatabase", "db", { plan: "heroku-postgresql:private-0" })], cfg, []],
    [
      "private declared, no mTLS",
      [v("SecureDatabase", "db", { plan: "heroku-postgresql:private-0" })],
      { ...cfg, externalDatabases: ["db"] },
      ["urn:db"],
    ],
    [
      "private declared (*), mTLS by dependency",
      [v("SecureDatabase", "db", { plan: "heroku-postgresql:private-0" }), v("MtlsConfig", "m", {}, ["urn:db"])],
      { ...cfg, externalDatabases: ["*"] },
      [],
    ],
    [
      "private declared, mTLS by add-on name",
      [
        v("SecureDatabase", "db", { plan: "heroku-postgresql:private-0", addonName: "postgresql-a" }),
        v("MtlsConfig", "m", { database: "postgresql-a" }),
      ],
      { ...cfg, externalDatabases: ["db"] },
      [],
    ],
  ])("%s", (_, resources, config, urns) => {
    expect(checkExternalAccess(resources, config).map(([urn]) => urn)).toEqual(urns);
  });
});

test("type tokens: one spelling for every resource, as the CLI records them", () => {
  expect(TYPE_TOKENS.IpRule).toBe("pulumi-nodejs:dynamic/heroku-pg-secure:IpRule");
  expect(TYPE_TOKENS.SecurePostgres).toBe("heroku-pg-secure:index:SecurePostgres");
  expect(kindOfType("pulumi-nodejs:dynamic/heroku-pg-secure:Credential")).toBe("Credential");
  expect(kindOfType("aws:kms/key:Key")).toBeUndefined();
});

test("policy names are unique and the pack's version is the package's", () => {
  const names = Object.values(POLICIES).map((p) => p.name);
  expect(new Set(names).size).toBe(names.length);
  const read = (p: string): { version: string } => JSON.parse(fs.readFileSync(path.join(__dirname, p), "utf8"));
  expect(read("../../../policy-pack/package.json").version).toBe(read("../../../package.json").version);
});
