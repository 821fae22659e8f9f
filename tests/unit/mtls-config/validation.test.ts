import {
  MAX_CLIENT_CERTIFICATES,
  MAX_CLIENT_CERTIFICATE_NAME_LENGTH,
  checkMtlsDatabase,
  isPrivateOrShieldPlan,
  planTier,
  validateMtlsConfig,
} from "../../../provider/mtls-config/validation";
import { UNKNOWN } from "../../../provider/shared/unknown";

describe("plans", () => {
  it.each([
    ["heroku-postgresql:private-0", "private", true],
    ["heroku-postgresql:shield-7", "shield", true],
    ["private-2", "private", true],
    ["heroku-postgresql:standard-0", "standard", false],
    ["heroku-postgresql:premium-4", "premium", false],
    ["heroku-postgresql:essential-0", "essential", false],
    ["heroku-postgresql:mini", "mini", false],
  ])("%s is tier %s, mTLS allowed: %s", (plan, tier, allowed) => {
    expect(planTier(plan)).toBe(tier);
    expect(isPrivateOrShieldPlan(plan)).toBe(allowed);
  });
});

describe("checkMtlsDatabase", () => {
  it("accepts a Private or Shield database without Enhanced Certificates", () => {
    expect(
      checkMtlsDatabase({
        database: "postgresql-a-1",
        plan: "heroku-postgresql:private-0",
        enhancedCertificates: "Disabled",
      }),
    ).toEqual([]);
    expect(checkMtlsDatabase({ database: "postgresql-a-1", plan: "heroku-postgresql:shield-0" })).toEqual([]);
  });

  it.each<[string, string | undefined, string[]]>([
    [
      "heroku-postgresql:standard-0",
      "Disabled",
      [
        "database postgresql-a-1 is on plan heroku-postgresql:standard-0; mTLS is only available on Private and Shield plans (heroku-postgresql:private-* or heroku-postgresql:shield-*)",
      ],
    ],
    [
      "heroku-postgresql:private-0",
      "Enabled",
      [
        "database postgresql-a-1 has Enhanced Certificates Enabled; mTLS and Enhanced Certificates cannot be used together, so disable Enhanced Certificates first",
      ],
    ],
    [
      "heroku-postgresql:private-0",
      "Deprovisioning",
      [
        "database postgresql-a-1 has Enhanced Certificates Deprovisioning; mTLS and Enhanced Certificates cannot be used together, so disable Enhanced Certificates first",
      ],
    ],
    [
      "heroku-postgresql:essential-1",
      "Provisioning",
      [
        "database postgresql-a-1 is on plan heroku-postgresql:essential-1; mTLS is only available on Private and Shield plans (heroku-postgresql:private-* or heroku-postgresql:shield-*)",
        "database postgresql-a-1 has Enhanced Certificates Provisioning; mTLS and Enhanced Certificates cannot be used together, so disable Enhanced Certificates first",
      ],
    ],
  ])("%s with Enhanced Certificates %s", (plan, ec, reasons) => {
    expect(checkMtlsDatabase({ database: "postgresql-a-1", plan, enhancedCertificates: ec })).toEqual(
      reasons.map((reason) => ({ property: "database", reason })),
    );
  });
});

describe("validateMtlsConfig", () => {
  const good = { database: "postgresql-rectangle-12345", certificateNames: ["bi-tool", "ci_runner", "A1"] };
  const nameRule = `certificate names must be 1 to ${MAX_CLIENT_CERTIFICATE_NAME_LENGTH} letters, digits, "-" or "_"`;

  it("passes good input through unchanged", () => {
    expect(validateMtlsConfig(good)).toEqual({ inputs: good, failures: [] });
  });

  it("lets unknown values through (preview)", () => {
    expect(validateMtlsConfig({ database: UNKNOWN, certificateNames: UNKNOWN }).failures).toEqual([]);
    expect(validateMtlsConfig({ database: "db", certificateNames: [UNKNOWN, "a"] }).failures).toEqual([]);
  });

  it(`accepts a name of exactly ${MAX_CLIENT_CERTIFICATE_NAME_LENGTH} characters and ${MAX_CLIENT_CERTIFICATES} names`, () => {
    expect(
      validateMtlsConfig({ database: "db", certificateNames: ["n".repeat(MAX_CLIENT_CERTIFICATE_NAME_LENGTH)] })
        .failures,
    ).toEqual([]);
    const many = Array.from({ length: MAX_CLIENT_CERTIFICATES }, (_, i) => `c${i}`);
    expect(validateMtlsConfig({ database: "db", certificateNames: many }).failures).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, { property: string; reason: string }[]]>([
    [
      "nothing",
      {},
      [
        { property: "database", reason: "database is required and must be a non-empty string" },
        {
          property: "certificateNames",
          reason: 'certificateNames is required and must be a list of names like ["bi-tool", "ci-runner"]',
        },
      ],
    ],
    [
      "no names",
      { database: "db", certificateNames: [] },
      [
        {
          property: "certificateNames",
          reason:
            "certificateNames must hold at least 1 name: enabling mTLS creates a client certificate, which takes the first name",
        },
      ],
    ],
    [
      "too many names",
      { database: "db", certificateNames: Array.from({ length: MAX_CLIENT_CERTIFICATES + 1 }, (_, i) => `c${i}`) },
      [
        {
          property: "certificateNames",
          reason: `certificateNames may hold at most ${MAX_CLIENT_CERTIFICATES} names, got 21`,
        },
      ],
    ],
    [
      "bad names",
      { database: "db", certificateNames: ["ok", "has space", "", "x".repeat(51), "dot.name", 7] },
      [
        { property: "certificateNames[1]", reason: `certificateNames[1]: ${nameRule}, got "has space"` },
        { property: "certificateNames[2]", reason: `certificateNames[2]: ${nameRule}, got ""` },
        { property: "certificateNames[3]", reason: `certificateNames[3]: ${nameRule}, got "${"x".repeat(51)}"` },
        { property: "certificateNames[4]", reason: `certificateNames[4]: ${nameRule}, got "dot.name"` },
        { property: "certificateNames[5]", reason: "certificateNames[5] must be a string" },
      ],
    ],
    [
      "duplicates",
      { database: "db", certificateNames: ["bi", "ci", "bi"] },
      [
        {
          property: "certificateNames[2]",
          reason: 'certificateNames[2] repeats "bi" (also at index 0); certificate names must be unique',
        },
      ],
    ],
    [
      "adoptExisting not a boolean",
      { ...good, adoptExisting: "yes" },
      [{ property: "adoptExisting", reason: "adoptExisting must be true or false" }],
    ],
    [
      "unknown timeout",
      { ...good, timeouts: { read: "5m" } },
      [{ property: "timeouts.read", reason: "timeouts.read is not a timeout; use create, update or delete" }],
    ],
  ])("%s", (_name, raw, failures) => {
    expect(validateMtlsConfig(raw).failures).toEqual(failures);
  });
});
