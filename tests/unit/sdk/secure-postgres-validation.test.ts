import { postureProblems, type PostureFacts } from "../../../sdk/secure-postgres-validation";

const base: PostureFacts = {
  plan: "heroku-postgresql:private-0",
  byok: true,
  mtls: true,
  enhancedCertificates: false,
  cidrs: ["203.0.113.0/24", "127.0.0.1/32"],
  clientCertificates: ["bi-tool", "ci"],
  credentials: { analyst: { permissions: "read-only" }, reporting: { permissions: "read-write" } },
};

const cidrs = (n: number): string[] => Array.from({ length: n }, (_, i) => `10.0.${i}.0/24`);
const creds = (n: number): Record<string, { permissions: string }> =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`c${i}`, { permissions: "none" }]));

test("a sound posture has no problem", () => {
  expect(postureProblems(base)).toEqual([]);
  expect(postureProblems({ ...base, cidrs: cidrs(60), credentials: creds(59) })).toEqual([]);
});

test.each<[string, Partial<PostureFacts>, string]>([
  [
    "BYOK on a standard plan",
    { plan: "heroku-postgresql:standard-0", mtls: false },
    "plan: a customer encryption key needs a heroku-postgresql:private-* or shield-* plan, not heroku-postgresql:standard-0",
  ],
  [
    "mTLS on a premium plan",
    { plan: "heroku-postgresql:premium-0", byok: false },
    "plan: mutual TLS needs a heroku-postgresql:private-* or shield-* plan, not heroku-postgresql:premium-0",
  ],
  [
    "mTLS with Enhanced Certificates",
    { enhancedCertificates: true },
    "enhancedCertificates: Enhanced Certificates cannot be used together with mutual TLS (allowedCidrs or clientCertificates); turn one off",
  ],
  ["61 CIDRs", { cidrs: cidrs(61) }, "allowedCidrs: 61 CIDRs given, but Heroku allows at most 60 per database"],
  [
    "a duplicate CIDR",
    { cidrs: ["10.0.0.0/8", "10.0.0.0/8"] },
    "allowedCidrs: cidr 10.0.0.0/8 is listed twice (entries 0 and 1); the same CIDR cannot be allowed twice on one database",
  ],
  ["a bad octet", { cidrs: ["10.0.0.256/32"] }, "allowedCidrs: cidr"],
  ["a duplicate certificate", { clientCertificates: ["ci", "ci"] }, "clientCertificates: ci is listed twice"],
  [
    "60 credentials plus the default",
    { credentials: creds(60) },
    "credentials: 60 credentials plus the default one exceed Heroku's limit of 60 per database",
  ],
  [
    "the reserved default credential",
    { credentials: { default: { permissions: "none" } } },
    'credentials.default: name "default"',
  ],
  [
    "an unknown permission level",
    { credentials: { ops: { permissions: "admin" } } },
    'credentials.ops.permissions must be one of none, read-only, read-write, got "admin"',
  ],
])("%s", (_label, change, expected) => {
  const problems = postureProblems({ ...base, ...change });
  expect(problems).toHaveLength(1);
  expect(problems[0]).toContain(expected);
});

describe("keyMigration", () => {
  const plain: PostureFacts = { ...base, mtls: false, cidrs: [], clientCertificates: [], credentials: {} };
  test.each(["follow", "promote", "done"])("%s is a phase", (phase) => {
    expect(postureProblems({ ...plain, keyMigration: phase })).toEqual([]);
  });
  test.each<[string, Partial<PostureFacts>, string]>([
    ["an unknown phase", { keyMigration: "later" }, 'keyMigration must be one of follow, promote, done, got "later"'],
    [
      "no key to move onto",
      { keyMigration: "follow", byok: false },
      "keyMigration moves the database onto a customer key: set customerKey (or existingKeyArn), not false",
    ],
    [
      "mTLS",
      { keyMigration: "follow", mtls: true, cidrs: ["10.0.0.0/8"] },
      "keyMigration: not yet with mutual TLS (allowedCidrs, clientCertificates); add them once keyMigration is done",
    ],
    [
      "named credentials",
      { keyMigration: "promote", credentials: { analyst: { permissions: "read-only" } } },
      "keyMigration: not yet with named credentials; add them once keyMigration is done",
    ],
  ])("refuses %s", (_label, change, expected) => {
    expect(postureProblems({ ...plain, ...change })).toEqual([expected]);
  });
});
