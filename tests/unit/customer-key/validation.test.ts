import { UNKNOWN } from "../../../provider/shared/unknown";
import {
  DEFAULT_DELETION_WINDOW_DAYS,
  DEFAULT_ROTATION_PERIOD_DAYS,
  MAX_ROTATION_PERIOD_DAYS,
  validateCustomerKey,
} from "../../../provider/customer-key/validation";

const ok = (extra: Record<string, unknown>) => validateCustomerKey({ region: "us-east-1", ...extra }, undefined);
const KEY = "1234abcd-12ab-34cd-56ef-1234567890ab";

describe("validateCustomerKey defaults", () => {
  it("fills rotation, deletion window, enabled and the region from AWS_REGION", () => {
    const { inputs, failures } = validateCustomerKey({}, "eu-central-1");
    expect(failures).toEqual([]);
    expect(inputs).toEqual({
      region: "eu-central-1",
      enableKeyRotation: true,
      rotationPeriodInDays: DEFAULT_ROTATION_PERIOD_DAYS,
      deletionWindowInDays: DEFAULT_DELETION_WINDOW_DAYS,
      enabled: true,
    });
  });
  it("takes the region from an adopted key's ARN", () => {
    const { inputs } = validateCustomerKey(
      { adoptKeyId: `arn:aws:kms:us-west-2:123456789012:key/${KEY}` },
      "us-east-1",
    );
    expect(inputs.region).toBe("us-west-2");
  });
  it("sets no rotation period when rotation is off", () => {
    expect(ok({ enableKeyRotation: false }).inputs.rotationPeriodInDays).toBeUndefined();
  });
  it("lets unknown values through (preview)", () => {
    const fields = [
      "region",
      "description",
      "alias",
      "enableKeyRotation",
      "rotationPeriodInDays",
      "deletionWindowInDays",
      "additionalPolicyStatements",
      "tags",
      "enabled",
      "adoptKeyId",
    ];
    expect(validateCustomerKey(Object.fromEntries(fields.map((f) => [f, UNKNOWN])), undefined).failures).toEqual([]);
  });
});

describe("validateCustomerKey rules", () => {
  it.each<[string, Record<string, unknown>, string, string]>([
    [
      "no region anywhere",
      { region: undefined },
      "region",
      "region is required when AWS_REGION is not set in the environment that runs pulumi",
    ],
    [
      "malformed region",
      { region: "virginia" },
      "region",
      'region must be an AWS region name like us-east-1, got "virginia"',
    ],
    ["alias without prefix", { alias: "heroku-data" }, "alias", 'alias must start with "alias/", got "heroku-data"'],
    [
      "reserved alias",
      { alias: "alias/aws/rds" },
      "alias",
      'alias must not start with "alias/aws/", which AWS reserves for its own keys',
    ],
    [
      "alias with spaces",
      { alias: "alias/my key" },
      "alias",
      'alias may contain only letters, digits, "/", "_" and "-" after "alias/", got "alias/my key"',
    ],
    ["alias too long", { alias: `alias/${"a".repeat(251)}` }, "alias", "alias must be at most 256 characters, got 257"],
    [
      "rotation too short",
      { rotationPeriodInDays: 89 },
      "rotationPeriodInDays",
      "rotationPeriodInDays must be a whole number of days from 90 to 2560, got 89",
    ],
    [
      "rotation too long",
      { rotationPeriodInDays: MAX_ROTATION_PERIOD_DAYS + 1 },
      "rotationPeriodInDays",
      "rotationPeriodInDays must be a whole number of days from 90 to 2560, got 2561",
    ],
    [
      "rotation period without rotation",
      { enableKeyRotation: false, rotationPeriodInDays: 180 },
      "rotationPeriodInDays",
      "rotationPeriodInDays applies only when enableKeyRotation is true; remove it or enable rotation",
    ],
    [
      "deletion window too short",
      { deletionWindowInDays: 6 },
      "deletionWindowInDays",
      "deletionWindowInDays must be a whole number of days from 7 to 30, got 6",
    ],
    [
      "deletion window too long",
      { deletionWindowInDays: 31 },
      "deletionWindowInDays",
      "deletionWindowInDays must be a whole number of days from 7 to 30, got 31",
    ],
    [
      "fractional deletion window",
      { deletionWindowInDays: 7.5 },
      "deletionWindowInDays",
      "deletionWindowInDays must be a whole number of days from 7 to 30, got 7.5",
    ],
    [
      "description too long",
      { description: "d".repeat(8193) },
      "description",
      "description must be at most 8192 characters, got 8193",
    ],
    [
      "disabled without acknowledgement",
      { enabled: false },
      "enabled",
      "enabled: false disables the key, which shuts down every Heroku Postgres database encrypted with it; set acknowledgeDatabaseShutdown: true to confirm",
    ],
    ["enabled not boolean", { enabled: "no" }, "enabled", "enabled must be true or false"],
    [
      "statements not a list",
      { additionalPolicyStatements: {} },
      "additionalPolicyStatements",
      "additionalPolicyStatements must be a list of IAM policy statements",
    ],
    [
      "statement with bad effect",
      { additionalPolicyStatements: [{ Effect: "Maybe", Action: "kms:*" }] },
      "additionalPolicyStatements[0].Effect",
      'additionalPolicyStatements[0].Effect must be "Allow" or "Deny"',
    ],
    [
      "statement without action",
      { additionalPolicyStatements: [{ Effect: "Allow" }] },
      "additionalPolicyStatements[0].Action",
      "additionalPolicyStatements[0] needs Action or NotAction",
    ],
    [
      "statement reusing a reserved Sid",
      { additionalPolicyStatements: [{ Sid: "EnableRootAccountPermissions", Effect: "Allow", Action: "kms:*" }] },
      "additionalPolicyStatements[0].Sid",
      'additionalPolicyStatements[0].Sid "EnableRootAccountPermissions" is reserved for the statements CustomerKey writes itself',
    ],
    [
      "aws: tag",
      { tags: { "aws:owner": "x" } },
      "tags.aws:owner",
      'tag keys must not start with "aws:", which AWS reserves',
    ],
    [
      "tag value too long",
      { tags: { team: "v".repeat(257) } },
      "tags.team",
      "tags.team must be at most 256 characters, got 257",
    ],
    [
      "too many tags",
      { tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`t${i}`, "v"])) },
      "tags",
      "tags may hold at most 50 entries, got 51",
    ],
    [
      "multi-Region key",
      { adoptKeyId: "mrk-1234abcd12ab34cd56ef1234567890ab" },
      "adoptKeyId",
      "adoptKeyId names a multi-Region key (mrk-...), which Heroku Postgres does not support",
    ],
    [
      "alias as key id",
      { adoptKeyId: "alias/heroku" },
      "adoptKeyId",
      'adoptKeyId must be a KMS key id (a UUID) or key ARN, got "alias/heroku"',
    ],
    [
      "adopted key in another region",
      { adoptKeyId: `arn:aws:kms:us-west-2:123456789012:key/${KEY}` },
      "adoptKeyId",
      "adoptKeyId is a key in us-west-2 but region is us-east-1; they must match",
    ],
  ])("%s", (_case, extra, property, reason) => {
    expect(ok(extra).failures).toEqual([{ property, reason }]);
  });

  it("accepts a complete, valid key", () => {
    const { failures } = ok({
      description: "orders",
      alias: "alias/orders-db_2",
      rotationPeriodInDays: 180,
      deletionWindowInDays: 7,
      tags: { team: "data" },
      additionalPolicyStatements: [{ Sid: "Audit", Effect: "Allow", Action: ["kms:DescribeKey"], Resource: "*" }],
      enabled: false,
      acknowledgeDatabaseShutdown: true,
      adoptKeyId: KEY,
    });
    expect(failures).toEqual([]);
  });
});

test("the checked inputs never hold undefined, which the provider's gRPC Struct cannot carry", () => {
  const { inputs, failures } = validateCustomerKey({ region: undefined }, undefined);
  expect(failures.map((f) => f.property)).toEqual(["region"]);
  expect(Object.entries(inputs).filter(([, v]) => v === undefined)).toEqual([]);
});
