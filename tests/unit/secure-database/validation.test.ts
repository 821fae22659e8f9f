import { UNKNOWN } from "../../../provider/shared/unknown";
import { planTier, validateSecureDatabase } from "../../../provider/secure-database/validation";

const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const base = { app: "acme-api", plan: "heroku-postgresql:private-0" };
const check = (extra: Record<string, unknown>) => validateSecureDatabase({ ...base, ...extra });

describe("validateSecureDatabase", () => {
  it("defaults enhancedCertificates to false and accepts a full BYOK database", () => {
    const { inputs, failures } = check({
      encryptionKeyArn: KEY_ARN,
      postgresVersion: "16",
      name: "orders-db",
      attachmentName: "ORDERS_DB",
      timeouts: { create: "30m", update: "1h", delete: "90s" },
    });
    expect(failures).toEqual([]);
    expect(inputs.enhancedCertificates).toBe(false);
  });

  it("lets unknown values through (preview)", () => {
    const fields = [
      "app",
      "plan",
      "encryptionKeyArn",
      "enhancedCertificates",
      "postgresVersion",
      "name",
      "attachmentName",
      "adoptAddonId",
      "timeouts",
    ];
    expect(validateSecureDatabase(Object.fromEntries(fields.map((f) => [f, UNKNOWN]))).failures).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ["missing app", { app: undefined }, "app", "app is required and must be a non-empty string"],
    [
      "app with capitals",
      { app: "Acme" },
      "app",
      'app must be an app id or a name of 3 to 30 lowercase letters, digits and dashes starting with a letter, got "Acme"',
    ],
    ["missing plan", { plan: "" }, "plan", "plan is required and must be a non-empty string"],
    [
      "not a Postgres plan",
      { plan: "heroku-redis:premium-0" },
      "plan",
      'plan must be a Heroku Postgres plan like "heroku-postgresql:private-0", got "heroku-redis:premium-0"',
    ],
    [
      "key on a standard plan",
      { plan: "heroku-postgresql:standard-0", encryptionKeyArn: KEY_ARN },
      "plan",
      "encryptionKeyArn needs a heroku-postgresql:private-* or heroku-postgresql:shield-* plan (Private or Shield Space), not standard",
    ],
    [
      "malformed key ARN",
      { encryptionKeyArn: "arn:aws:kms:us-east-1:1234:key/x" },
      "encryptionKeyArn",
      'encryptionKeyArn must be a KMS key ARN like arn:aws:kms:us-east-1:123456789012:key/<uuid>, got "arn:aws:kms:us-east-1:1234:key/x"',
    ],
    [
      "multi-Region key",
      { encryptionKeyArn: "arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab" },
      "encryptionKeyArn",
      "encryptionKeyArn names a multi-Region key (mrk-...), which Heroku Postgres does not support",
    ],
    [
      "alias ARN",
      { encryptionKeyArn: "arn:aws:kms:us-east-1:123456789012:key/alias-x" },
      "encryptionKeyArn",
      'encryptionKeyArn must end in key/<key id>; aliases are not accepted, got "arn:aws:kms:us-east-1:123456789012:key/alias-x"',
    ],
    [
      "Enhanced Certificates on essential",
      { plan: "heroku-postgresql:essential-0", enhancedCertificates: true },
      "enhancedCertificates",
      "enhancedCertificates needs a standard, premium, private, shield plan, not essential",
    ],
    [
      "enhancedCertificates not boolean",
      { enhancedCertificates: "yes" },
      "enhancedCertificates",
      "enhancedCertificates must be true or false",
    ],
    [
      "version too old",
      { postgresVersion: "11" },
      "postgresVersion",
      'postgresVersion must be a major version from 12 to 17 like "16", got "11"',
    ],
    [
      "minor version",
      { postgresVersion: "16.2" },
      "postgresVersion",
      'postgresVersion must be a major version from 12 to 17 like "16", got "16.2"',
    ],
    [
      "Enhanced Certificates on 12",
      { postgresVersion: "12", enhancedCertificates: true },
      "postgresVersion",
      "enhancedCertificates needs postgresVersion 13 or later, got 12",
    ],
    [
      "add-on name with a dot",
      { name: "orders.db" },
      "name",
      'name must start with a letter and hold only letters, digits, "-" and "_", at most 256 characters, got "orders.db"',
    ],
    [
      "lowercase attachment",
      { attachmentName: "orders" },
      "attachmentName",
      'attachmentName must start with an uppercase letter and hold only uppercase letters, digits and "_" (it becomes <NAME>_URL), got "orders"',
    ],
    [
      "bad adoption id",
      { adoptAddonId: "1 2" },
      "adoptAddonId",
      'adoptAddonId must be an add-on id (UUID) or add-on name, got "1 2"',
    ],
    [
      "timeouts not an object",
      { timeouts: "20m" },
      "timeouts",
      'timeouts must be an object like { create: "20m", update: "20m", delete: "10m" }',
    ],
    [
      "bad duration",
      { timeouts: { create: "20 minutes" } },
      "timeouts.create",
      'timeouts.create must be a duration like "20m", "1h30m" or "90s", above zero and at most 24h0m0s, got "20 minutes"',
    ],
    [
      "unknown timeout",
      { timeouts: { read: "1m" } },
      "timeouts.read",
      "timeouts.read is not a timeout; use create, update or delete",
    ],
  ])("%s", (_case, extra, property, reason) => {
    expect(check(extra).failures).toEqual([{ property, reason }]);
  });

  it("reads the tier of a plan", () => {
    expect(planTier("heroku-postgresql:private-7")).toBe("private");
    expect(planTier("heroku-postgresql:shield-0")).toBe("shield");
    expect(planTier("heroku-postgresql:essential-0")).toBe("essential");
    expect(planTier("private-0")).toBeUndefined();
  });
});
