import {
  MAX_CREDENTIALS_PER_DATABASE,
  MAX_CREDENTIAL_NAME_LENGTH,
  attachmentConfigVar,
  checkCredentialCapacity,
  checkCredentialDatabase,
  isProductionPlan,
  validateCredential,
} from "../../../provider/credential/validation";
import { UNKNOWN } from "../../../provider/shared/unknown";

type Failure = { property: string; reason: string };

describe("validateCredential", () => {
  const good = { database: "postgresql-sunny-1234", name: "analyst" };

  it("applies defaults: permissions none, schemas public, no attachments", () => {
    expect(validateCredential(good)).toEqual({
      inputs: { ...good, permissions: "none", schemas: ["public"], attachments: [] },
      failures: [],
    });
  });

  it("keeps what was given", () => {
    const raw = {
      ...good,
      permissions: "read-write",
      schemas: ["public", "Reporting Schema", 'we"ird'],
      attachments: [{ app: "acme-reports", name: "ANALYTICS_DB" }, { app: "acme-api" }, { app: "acme-reports" }],
      rotationTrigger: "2025-Q1",
      forceRotation: true,
      adoptExisting: false,
      timeouts: { create: "20m" },
    };
    expect(validateCredential(raw)).toEqual({ inputs: raw, failures: [] });
  });

  it("lets unknown values through (preview)", () => {
    const raw = {
      database: UNKNOWN,
      name: UNKNOWN,
      permissions: UNKNOWN,
      schemas: [UNKNOWN],
      attachments: [{ app: UNKNOWN, name: UNKNOWN }],
    };
    expect(validateCredential(raw).failures).toEqual([]);
    expect(validateCredential({ ...good, schemas: UNKNOWN, attachments: UNKNOWN }).failures).toEqual([]);
  });

  it(`accepts names of 1 and ${MAX_CREDENTIAL_NAME_LENGTH} characters`, () => {
    expect(validateCredential({ ...good, name: "a" }).failures).toEqual([]);
    expect(validateCredential({ ...good, name: "A_b-9".repeat(10) }).failures).toEqual([]);
  });

  const nameRule = `name must be 1 to ${MAX_CREDENTIAL_NAME_LENGTH} letters, digits, "-" or "_"`;
  const appRule = "app names are 3 to 30 lowercase letters, digits and dashes, starting with a letter";
  const attachmentRule =
    "attachment names are 1 to 50 uppercase letters, digits and underscores, starting with a letter";
  it.each<[string, Record<string, unknown>, Failure[]]>([
    [
      "nothing",
      {},
      [
        { property: "database", reason: "database is required and must be a non-empty string" },
        { property: "name", reason: "name is required and must be a non-empty string" },
      ],
    ],
    [
      "default",
      { ...good, name: "default" },
      [
        {
          property: "name",
          reason:
            'name "default" is the database\'s default credential: Heroku creates it with the database and it cannot be created or destroyed',
        },
      ],
    ],
    [
      "51 characters",
      { ...good, name: "x".repeat(51) },
      [{ property: "name", reason: `${nameRule}, got "${"x".repeat(51)}"` }],
    ],
    ["a dot", { ...good, name: "data.team" }, [{ property: "name", reason: `${nameRule}, got "data.team"` }]],
    ["a space", { ...good, name: "data team" }, [{ property: "name", reason: `${nameRule}, got "data team"` }]],
    [
      "a rotation user's name",
      { ...good, name: "analyst-rotating" },
      [
        {
          property: "name",
          reason:
            'name must not end in "-rotating": Heroku uses <name>-rotating as the temporary user while a credential rotates',
        },
      ],
    ],
    [
      "unknown level",
      { ...good, permissions: "admin" },
      [
        {
          property: "permissions",
          reason: 'permissions must be one of "none", "read-only", "read-write", got "admin"',
        },
      ],
    ],
    [
      "empty schemas",
      { ...good, schemas: [] },
      [{ property: "schemas", reason: 'schemas must be a non-empty list of schema names, e.g. ["public"]' }],
    ],
    [
      "bad schemas",
      { ...good, schemas: ["public", "", "pg_catalog", "information_schema", "s".repeat(64), 3, "public", "a\0b"] },
      [
        { property: "schemas[1]", reason: "schemas[1]: schema names must not be empty" },
        {
          property: "schemas[2]",
          reason:
            'schemas[2]: schema "pg_catalog" is a system schema; every credential can already read the catalogs and permission levels do not apply to them',
        },
        {
          property: "schemas[3]",
          reason:
            'schemas[3]: schema "information_schema" is a system schema; every credential can already read the catalogs and permission levels do not apply to them',
        },
        {
          property: "schemas[4]",
          reason: `schemas[4]: schema names must be at most 63 bytes (PostgreSQL would truncate them), got "${"s".repeat(64)}"`,
        },
        { property: "schemas[5]", reason: "schemas[5] must be a string" },
        { property: "schemas[6]", reason: 'schemas[6] repeats "public" (also at index 0); schemas must be unique' },
        { property: "schemas[7]", reason: "schemas[7]: schema names must not contain NUL" },
      ],
    ],
    [
      "multi-byte schema over 63 bytes",
      { ...good, schemas: ["é".repeat(32)] },
      [
        {
          property: "schemas[0]",
          reason: `schemas[0]: schema names must be at most 63 bytes (PostgreSQL would truncate them), got "${"é".repeat(32)}"`,
        },
      ],
    ],
    [
      "attachments not a list",
      { ...good, attachments: { app: "acme-api" } },
      [
        {
          property: "attachments",
          reason: 'attachments must be a list like [{ app: "acme-reports", name: "ANALYTICS_DB" }]',
        },
      ],
    ],
    [
      "bad attachments",
      {
        ...good,
        attachments: [
          "acme-api",
          {},
          { app: "Acme" },
          { app: "ab" },
          { app: "1app" },
          { app: "a".repeat(31) },
          { app: "acme-api", name: "analytics" },
          { app: "acme-api", name: "_DB" },
          { app: "acme-api", name: 5 },
        ],
      },
      [
        { property: "attachments[0]", reason: "attachments[0] must be an object with app and an optional name" },
        { property: "attachments[1].app", reason: "attachments[1].app is required and must be a non-empty string" },
        { property: "attachments[2].app", reason: `attachments[2].app: ${appRule}, got "Acme"` },
        { property: "attachments[3].app", reason: `attachments[3].app: ${appRule}, got "ab"` },
        { property: "attachments[4].app", reason: `attachments[4].app: ${appRule}, got "1app"` },
        { property: "attachments[5].app", reason: `attachments[5].app: ${appRule}, got "${"a".repeat(31)}"` },
        { property: "attachments[6].name", reason: `attachments[6].name: ${attachmentRule}, got "analytics"` },
        { property: "attachments[7].name", reason: `attachments[7].name: ${attachmentRule}, got "_DB"` },
        { property: "attachments[8].name", reason: "attachments[8].name must be a string" },
      ],
    ],
    [
      "duplicate attachments",
      {
        ...good,
        attachments: [
          { app: "acme-api", name: "DB" },
          { app: "acme-api" },
          { app: "acme-api", name: "DB" },
          { app: "acme-api" },
          { app: "acme-reports", name: "DB" },
        ],
      },
      [
        {
          property: "attachments[2]",
          reason: "attachments[2] repeats app acme-api as DB (also at index 0); each app and name pair must be unique",
        },
        {
          property: "attachments[3]",
          reason:
            "attachments[3] repeats app acme-api without a name (also at index 1); each app and name pair must be unique",
        },
      ],
    ],
    [
      "steering inputs of the wrong type",
      { ...good, rotationTrigger: 1, forceRotation: "yes", adoptExisting: 1 },
      [
        { property: "rotationTrigger", reason: "rotationTrigger must be a string" },
        { property: "forceRotation", reason: "forceRotation must be true or false" },
        { property: "adoptExisting", reason: "adoptExisting must be true or false" },
      ],
    ],
  ])("%s", (_name, raw, failures) => {
    expect(validateCredential(raw).failures).toEqual(failures);
  });

  it("accepts app names of 3 and 30 characters and attachment names with digits", () => {
    const attachments = [
      { app: "abc", name: "DB2" },
      { app: `a${"-1".repeat(14)}b`, name: "HEROKU_POSTGRESQL_RED" },
    ];
    expect(validateCredential({ ...good, attachments }).failures).toEqual([]);
  });
});

describe("database rules", () => {
  it.each([
    ["heroku-postgresql:standard-0", true],
    ["heroku-postgresql:premium-2", true],
    ["heroku-postgresql:private-0", true],
    ["shield-7", true],
    ["heroku-postgresql:essential-0", false],
    ["heroku-postgresql:mini", false],
    ["heroku-postgresql:basic", false],
    ["heroku-postgresql:dev", false],
    ["heroku-postgresql:hobby-dev", false],
  ])("%s is production: %s", (plan, expected) => {
    expect(isProductionPlan(plan)).toBe(expected);
  });

  it("refuses non-production plans and followers, naming the database", () => {
    expect(checkCredentialDatabase({ database: "postgresql-sunny-1234", plan: "heroku-postgresql:private-0" })).toEqual(
      [],
    );
    expect(
      checkCredentialDatabase({
        database: "postgresql-moonlight-5678",
        plan: "heroku-postgresql:essential-1",
        followerOf: "postgresql-sunny-1234",
      }),
    ).toEqual([
      {
        property: "database",
        reason:
          "database postgresql-moonlight-5678 is on plan heroku-postgresql:essential-1; credentials are only available on production plans (standard-*, premium-*, private-*, shield-*)",
      },
      {
        property: "database",
        reason:
          "database postgresql-moonlight-5678 follows postgresql-sunny-1234: This operation is not supported for follower databases. Create the credential on the leader; it cascades to followers",
      },
    ]);
  });

  it("checks the planned count against the limit, the default credential included", () => {
    expect(MAX_CREDENTIALS_PER_DATABASE).toBe(60);
    expect(checkCredentialCapacity("postgresql-sunny-1234", 59)).toBeUndefined();
    expect(checkCredentialCapacity("postgresql-sunny-1234", 60)).toBe(
      "database postgresql-sunny-1234 would have 61 credentials (60 existing, the default included, + 1 new); Heroku Postgres allows at most 60 credentials per database",
    );
  });

  it("names an attachment's config var", () => {
    expect(attachmentConfigVar("HEROKU_POSTGRESQL_CRIMSON")).toBe("HEROKU_POSTGRESQL_CRIMSON_URL");
  });
});
