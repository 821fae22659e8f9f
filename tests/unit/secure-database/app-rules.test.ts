import {
  addonNameOf,
  checkDatabaseApp,
  checkEnhancedCertificatesWithMtls,
  derivedAddonName,
  checkPlanListed,
  type DatabaseAppFacts,
  type KeyRegion,
  expectedKeyRegion,
  MAX_LISTED_PLANS,
} from "../../../provider/secure-database/validation";
import type { SecureDatabaseInputs } from "../../../provider/secure-database/types";
import { UNKNOWN } from "../../../provider/shared/unknown";

const PRIVATE_APP: DatabaseAppFacts = {
  name: "acme-api",
  region: "virginia",
  space: { name: "acme-private", shield: false },
  generation: "cedar",
};
const SHIELD_APP: DatabaseAppFacts = {
  name: "acme-vault",
  region: "oregon",
  space: { name: "acme-shield", shield: true },
};
const COMMON_APP: DatabaseAppFacts = { name: "acme-hobby", region: "us" };
const FIR_APP: DatabaseAppFacts = {
  name: "acme-fir-api",
  region: "virginia",
  space: { name: "acme-fir", shield: false },
  generation: "fir",
};

const arnIn = (region: string): KeyRegion => ({ region, field: "encryptionKeyArn" });

describe("checkDatabaseApp: plan against the app's space and generation, key against its region", () => {
  it.each<[string, string, KeyRegion | undefined, DatabaseAppFacts, string[]]>([
    ["private plan in a Private Space", "heroku-postgresql:private-0", arnIn("us-east-1"), PRIVATE_APP, []],
    ["shield plan in a Shield Space", "heroku-postgresql:shield-0", arnIn("us-west-2"), SHIELD_APP, []],
    ["standard plan in the Common Runtime", "heroku-postgresql:standard-0", undefined, COMMON_APP, []],
    [
      "private plan in the Common Runtime",
      "heroku-postgresql:private-0",
      undefined,
      COMMON_APP,
      [
        "plan heroku-postgresql:private-0 needs an app in a Private Space, but app acme-hobby runs in the Common Runtime (region us)",
      ],
    ],
    [
      "shield plan in a Private Space",
      "heroku-postgresql:shield-0",
      undefined,
      PRIVATE_APP,
      [
        "plan heroku-postgresql:shield-0 needs a Shield Space, but app acme-api is in Private Space acme-private; use a private-* plan",
      ],
    ],
    [
      "private plan in a Shield Space",
      "heroku-postgresql:private-0",
      undefined,
      SHIELD_APP,
      ["plan heroku-postgresql:private-0 cannot run in Shield Space acme-shield (app acme-vault); use a shield-* plan"],
    ],
    [
      "shield plan on a Fir app",
      "heroku-postgresql:shield-0",
      undefined,
      FIR_APP,
      [
        "plan heroku-postgresql:shield-0 needs a Shield Space, which only the cedar generation has, but app acme-fir-api is a fir app; use a private-* plan or an app in a Shield Space",
      ],
    ],
    [
      "a key in another region",
      "heroku-postgresql:private-0",
      arnIn("eu-central-1"),
      PRIVATE_APP,
      [
        "encryptionKeyArn is a key in eu-central-1, but app acme-api runs in acme-private in virginia (us-east-1); the key must be in us-east-1",
      ],
    ],
    [
      "a declared key region other than the space's",
      "heroku-postgresql:private-0",
      { region: "eu-west-1", field: "encryptionKeyRegion" },
      PRIVATE_APP,
      [
        "encryptionKeyRegion is eu-west-1 (the region of the key made for this database), but app acme-api runs in acme-private in virginia (us-east-1); the key must be in us-east-1",
      ],
    ],
    [
      "both wrong",
      "heroku-postgresql:private-0",
      arnIn("us-east-1"),
      SHIELD_APP,
      [
        "plan heroku-postgresql:private-0 cannot run in Shield Space acme-shield (app acme-vault); use a shield-* plan",
        "encryptionKeyArn is a key in us-east-1, but app acme-vault runs in acme-shield in oregon (us-west-2); the key must be in us-west-2",
      ],
    ],
  ])("%s", (_what, plan, keyRegion, app, expected) => {
    expect(checkDatabaseApp(plan, keyRegion, app).map((f) => f.reason)).toEqual(expected);
  });
});

const LISTED = [
  "heroku-postgresql:essential-0",
  ...[0, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => `heroku-postgresql:private-${n}`),
  "heroku-postgresql:standard-0",
];

describe("checkPlanListed: the plan must be in Heroku's plan list", () => {
  it.each<[string, string[]]>([
    ["heroku-postgresql:private-0", []],
    ["heroku-postgresql:essential-0", []],
    [
      "heroku-postgresql:private-99",
      [
        'plan "heroku-postgresql:private-99" is not a plan Heroku offers for heroku-postgresql (GET /addon-services/heroku-postgresql/plans); the private plans are private-0, private-2, private-3, private-4, private-5, private-6, private-7, private-8, private-9, private-10',
      ],
    ],
    [
      "heroku-postgresql:zzz-0",
      [
        'plan "heroku-postgresql:zzz-0" is not a plan Heroku offers for heroku-postgresql (GET /addon-services/heroku-postgresql/plans); plans include essential-0, private-0, private-2, private-3, private-4, private-5, private-6, private-7, private-8, private-9, private-10, standard-0',
      ],
    ],
  ])("%s", (plan, expected) => {
    expect(checkPlanListed(plan, LISTED).map((f) => f.reason)).toEqual(expected);
    for (const f of checkPlanListed(plan, LISTED)) expect(f.property).toBe("plan");
  });

  test(`lists at most ${MAX_LISTED_PLANS} plans`, () => {
    const many = Array.from({ length: 30 }, (_, i) => `heroku-postgresql:standard-${i}`);
    expect(checkPlanListed("heroku-postgresql:standard-99", many)[0]?.reason).toMatch(/standard-11, \.\.\.$/);
  });
});

describe("expectedKeyRegion: the ARN's region, else the declared one while the ARN is unknown", () => {
  const base: SecureDatabaseInputs = { app: "acme-api", plan: "heroku-postgresql:private-0" };
  it.each<[string, Partial<SecureDatabaseInputs>, KeyRegion | undefined]>([
    ["no key", {}, undefined],
    [
      "an ARN",
      { encryptionKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
      arnIn("eu-west-1"),
    ],
    [
      "an unknown ARN and a region",
      { encryptionKeyArn: UNKNOWN, encryptionKeyRegion: "us-west-2" },
      { region: "us-west-2", field: "encryptionKeyRegion" },
    ],
    [
      "an ARN wins over the region",
      {
        encryptionKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        encryptionKeyRegion: "us-west-2",
      },
      arnIn("eu-west-1"),
    ],
    ["an unknown region", { encryptionKeyArn: UNKNOWN, encryptionKeyRegion: UNKNOWN }, undefined],
  ])("%s", (_what, extra, expected) => {
    expect(expectedKeyRegion({ ...base, ...extra })).toEqual(expected);
  });
});

describe("Enhanced Certificates on a deployed database with mTLS", () => {
  it.each<[string, string | undefined, number]>([
    ["mTLS off", undefined, 0],
    ["mTLS Operational", "Operational", 1],
    ["mTLS Provisioning", "Provisioning", 1],
  ])("%s", (_what, status, count) => {
    const failures = checkEnhancedCertificatesWithMtls("postgresql-x", status);
    expect(failures).toHaveLength(count);
    for (const f of failures) expect(f.reason).toMatch(/^enhancedCertificates: database postgresql-x has mTLS /);
  });

  it.each<[string, Partial<SecureDatabaseInputs>, string | undefined]>([
    ["a declared name", { name: "orders-db", resumeKey: "k" }, "orders-db"],
    ["an adopted add-on", { adoptAddonId: "postgresql-adopted-1" }, "postgresql-adopted-1"],
    ["no resume key", {}, undefined],
  ])("addonNameOf: %s", (_what, extra, expected) => {
    expect(addonNameOf({ app: "acme-api", plan: "heroku-postgresql:private-0", ...extra })).toBe(expected);
  });

  test("addonNameOf: the derived name when nothing is declared", () => {
    const inputs = { app: "acme-api", plan: "heroku-postgresql:private-0", resumeKey: "0123456789abcdef" };
    expect(addonNameOf(inputs)).toBe(derivedAddonName("0123456789abcdef", inputs));
  });
});
