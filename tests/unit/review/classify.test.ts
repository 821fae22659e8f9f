import { classify, type Finding } from "../../../review/classify";
import type { PreviewStep } from "../../../review/preview-json";
import { parsePreviewJson } from "../../../review/preview-json";
import { renderReview } from "../../../review/render";
import { TYPE_TOKENS, type ResourceKind } from "../../../sdk/type-tokens";

const DB_URN = "urn:pulumi:prod::p::pulumi-nodejs:dynamic/heroku-pg-secure:SecureDatabase::orders-db";
const SECRET = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "c2VjcmV0" };

type Inputs = Record<string, unknown>;

function step(kind: ResourceKind, name: string, op: string, olds?: Inputs, news?: Inputs): PreviewStep {
  const type = TYPE_TOKENS[kind];
  const urn = `urn:pulumi:prod::p::${type}::${name}`;
  const state = (inputs: Inputs) => ({ urn, type, inputs, propertyDependencies: { database: [DB_URN] } });
  return {
    op,
    urn,
    ...(olds ? { oldState: state(olds) } : {}),
    ...(news ? { newState: state(news) } : {}),
  };
}

test.each<[string, PreviewStep[], Finding[]]>([
  [
    "database replaced",
    [
      step(
        "SecureDatabase",
        "orders-db",
        "replace",
        { plan: "heroku-postgresql:private-0" },
        { plan: "heroku-postgresql:private-2" },
      ),
    ],
    [
      {
        section: "dataAtRisk",
        text: 'SecureDatabase "orders-db" is replaced: a new, empty database (heroku-postgresql:private-2) instead of this one',
      },
    ],
  ],
  [
    "plan changed in place",
    [
      step(
        "SecureDatabase",
        "orders-db",
        "update",
        { plan: "heroku-postgresql:private-0" },
        { plan: "heroku-postgresql:private-2" },
      ),
    ],
    [
      {
        section: "restarts",
        text: 'SecureDatabase "orders-db": plan heroku-postgresql:private-0 -> heroku-postgresql:private-2 in place; the database is briefly unavailable at the changeover',
      },
    ],
  ],
  [
    "key kept in KMS when removed",
    [step("CustomerKey", "k", "delete", { removalPolicy: "retain" })],
    [{ section: "other", text: '- CustomerKey "k"' }],
  ],
  [
    "new wide block",
    [
      step("IpRule", "any", "create", undefined, {
        cidr: "0.0.0.0/0",
        description: "hurry",
        acknowledgeWideCidr: true,
      }),
    ],
    [
      {
        section: "accessOpened",
        text: 'IpRule "any" allows 0.0.0.0/0 ("hurry") (wide block, acknowledged with acknowledgeWideCidr) on database "orders-db"',
      },
    ],
  ],
  [
    "new CIDR on a rule: the new block first, the old one after",
    [step("IpRule", "r", "replace", { cidr: "10.0.0.0/24" }, { cidr: "10.0.1.0/24" })],
    [
      { section: "accessOpened", text: 'IpRule "r" allows 10.0.1.0/24 on database "orders-db"' },
      { section: "accessPaused", text: 'IpRule "r" no longer allows 10.0.0.0/24 on database "orders-db"' },
    ],
  ],
  [
    "replacement steps shown (--show-replacement-steps) decide the order",
    [
      { ...step("IpRule", "r", "delete-replaced") },
      step("IpRule", "r", "replace", { cidr: "10.0.0.0/24" }, { cidr: "10.0.1.0/24" }),
      { ...step("IpRule", "r", "create-replacement") },
    ],
    [
      {
        section: "accessPaused",
        text: 'IpRule "r": access from 10.0.1.0/24 pauses: the rule is deleted and made again (10.0.0.0/24 becomes 10.0.1.0/24), refused until Heroku authorizes it (10-15 minutes)',
      },
    ],
  ],
  [
    "credential lowered and rotated with force",
    [
      step(
        "Credential",
        "c",
        "update",
        { permissions: "read-write", rotationTrigger: "2026-01-01" },
        { permissions: "read-only", rotationTrigger: "2026-02-01", forceRotation: true },
      ),
    ],
    [
      { section: "accessPaused", text: 'Credential "c": permission lowered from read-write to read-only' },
      {
        section: "restarts",
        text: 'Credential "c": password rotates, open connections are ended at once; attached apps restart',
      },
    ],
  ],
  [
    "a secret rotation trigger is compared, never shown",
    [step("Credential", "c", "update", { rotationTrigger: SECRET }, { rotationTrigger: SECRET })],
    [{ section: "other", text: '~ Credential "c"' }],
  ],
  [
    "mTLS removed",
    [step("MtlsConfig", "m", "delete", { certificateNames: ["a"] })],
    [
      {
        section: "accessPaused",
        text: 'MtlsConfig "m": mTLS off on database "orders-db"; every certificate is revoked',
      },
    ],
  ],
  ["no change", [step("Credential", "c", "same", {}, {})], []],
  [
    "allowlist: a block added, one removed, one made again",
    [
      step(
        "IpAllowlist",
        "al",
        "update",
        { entries: { "203.0.113.0/24": { description: "office" }, "192.0.2.0/24": { description: "partner" } } },
        { entries: { "203.0.113.0/24": { description: "office 2" }, "198.51.100.7/32": { description: "vpn" } } },
      ),
    ],
    [
      { section: "accessOpened", text: 'IpAllowlist "al" allows 198.51.100.7/32 ("vpn") on database "orders-db"' },
      {
        section: "accessPaused",
        text: 'IpAllowlist "al" no longer allows 192.0.2.0/24 ("partner") on database "orders-db"',
      },
      {
        section: "accessPaused",
        text:
          'IpAllowlist "al": access from 203.0.113.0/24 pauses: the rule is deleted and made again (203.0.113.0/24 ' +
          '("office") becomes 203.0.113.0/24 ("office 2")), refused until Heroku authorizes it (10-15 minutes)',
      },
    ],
  ],
  [
    "allowlist created from the program's list (superseding no IpRule this preview deletes)",
    [
      step("IpAllowlist", "al", "create", undefined, {
        entries: [{ cidr: "10.0.0.0/16", description: "vpc" }],
        supersedesIpRules: { "10.0.0.0/16": "k1" },
      }),
    ],
    [{ section: "accessOpened", text: 'IpAllowlist "al" allows 10.0.0.0/16 ("vpc") on database "orders-db"' }],
  ],
  [
    "upgrade: the allowlist takes over the IpRules, whose deletes keep the rules",
    [
      step("IpAllowlist", "pg-allowlist", "create", undefined, {
        entries: { "10.0.0.0/16": { description: "vpc" } },
        supersedesIpRules: { "10.0.0.0/16": "k1" },
      }),
      step("IpRule", "pg-ip-10-0-0-0-16", "delete", { cidr: "10.0.0.0/16", description: "vpc", resumeKey: "k1" }),
    ],
    [
      {
        section: "other",
        text: 'IpAllowlist "pg-allowlist" allows 10.0.0.0/16 ("vpc") on database "orders-db", taking over the IpRule that allowed it',
      },
      {
        section: "other",
        text: '- IpRule "pg-ip-10-0-0-0-16": leaves the stack; its rule for 10.0.0.0/16 stays, taken over by the allowlist',
      },
    ],
  ],
])("%s", (_, steps, expected) => {
  expect(classify(steps)).toEqual(expected);
});

test("the report counts every section and puts everything else on one line", () => {
  const md = renderReview(
    [
      { section: "dataAtRisk", text: "a" },
      { section: "other", text: '+ CustomerKey "k"' },
      { section: "other", text: '~ IpRule "r" (timeouts)' },
    ],
    "prod",
  );
  expect(md).toBe(
    [
      "## heroku-pg-secure review of stack `prod`",
      "",
      "Data at risk: 1 · Access opened: 0 · Access paused or removed: 0 · Restarts: 0",
      "",
      "### Data at risk",
      "- a",
      "",
      '**Everything else:** + CustomerKey "k"; ~ IpRule "r" (timeouts).',
      "",
    ].join("\n"),
  );
});

test("preview JSON is read, and anything else refused with what to run", () => {
  expect(parsePreviewJson('{"steps":[]}').steps).toEqual([]);
  expect(parsePreviewJson("{}").steps).toEqual([]);
  expect(() => parsePreviewJson("Previewing update")).toThrow(/not JSON .*run pulumi preview --json/);
  expect(() => parsePreviewJson('{"steps":1}')).toThrow(/steps is not a list/);
});
