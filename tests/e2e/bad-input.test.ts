// Every invalid input fails at `pulumi preview` with a message that names the resource, the field and the rule
// (once, without Pulumi's echo of the value and without a stack trace), and nothing reaches Heroku (no mutating
// call in the emulator's request log) or KMS (no key made in moto). Rules that need a fact from Heroku are decided
// with read-only calls, each made once per preview: every batch asserts exactly which GETs it made.
//
// Cases of plain resources are batched into a few previews (the engine checks every resource and reports each
// problem); a SecurePostgres throws at construction, so each component case has a preview of its own.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { KMSClient, ListKeysCommand } from "@aws-sdk/client-kms";
import { startServices, type Services } from "../support/services";
import { runStack, type StackResult } from "../support/pulumi";
import { controlJson, FAST_SPEEDS, herokuJson, requestLog } from "./emulator-client";

jest.setTimeout(30 * 60_000);

let services: Services;
let workDir: string;

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const KEY_OREGON = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const MRK = "arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab";
const DB = "postgresql-example-12345";
const PRIVATE = "heroku-postgresql:private-0";
const PLANS = "GET /addon-services/heroku-postgresql/plans";
const NO_DB = "postgresql-nope-00000";

/** [what is wrong, resource class, its args, text the preview's error must contain (field and rule)] */
type ShapeCase = [string, string, Record<string, unknown>, string];

/** Rules of shape, range and combination: no call to Heroku at all. */
const shapeCases: ShapeCase[] = [
  [
    "deletion window below 7 days",
    "CustomerKey",
    { deletionWindowInDays: 3 },
    "deletionWindowInDays must be a whole number of days from 7 to 30, got 3",
  ],
  [
    "deletion window above 30 days",
    "CustomerKey",
    { deletionWindowInDays: 31 },
    "deletionWindowInDays must be a whole number of days from 7 to 30, got 31",
  ],
  [
    "deletion window not a number",
    "CustomerKey",
    { deletionWindowInDays: "thirty" },
    "deletionWindowInDays must be a whole number of days from 7 to 30",
  ],
  [
    "rotation period below 90 days",
    "CustomerKey",
    { rotationPeriodInDays: 89 },
    "rotationPeriodInDays must be a whole number of days from 90 to 2560, got 89",
  ],
  [
    "rotation period above 2560 days",
    "CustomerKey",
    { rotationPeriodInDays: 2561 },
    "rotationPeriodInDays must be a whole number of days from 90 to 2560, got 2561",
  ],
  ["alias without alias/", "CustomerKey", { alias: "heroku-data" }, 'alias must start with "alias/"'],
  [
    "alias in the aws/ namespace",
    "CustomerKey",
    { alias: "alias/aws/heroku" },
    'alias must not start with "alias/aws/"',
  ],
  [
    "disabling without acknowledgement",
    "CustomerKey",
    { enabled: false },
    "set acknowledgeDatabaseShutdown: true to confirm",
  ],
  [
    "adopting a multi-Region key",
    "CustomerKey",
    { adoptKeyId: "mrk-1234abcd12ab34cd56ef1234567890ab" },
    "adoptKeyId names a multi-Region key",
  ],
  ["description not a string", "CustomerKey", { description: 42 }, "description must be a string"],
  ["empty app", "SecureDatabase", { app: "", plan: PRIVATE }, "app is required"],
  ["empty plan", "SecureDatabase", { app: "acme-api", plan: "" }, "plan is required and must be a non-empty string"],
  [
    "not a Postgres plan",
    "SecureDatabase",
    { app: "acme-api", plan: "heroku-redis:premium-0" },
    "plan must be a Heroku Postgres plan",
  ],
  [
    "BYOK on a standard plan",
    "SecureDatabase",
    { app: "acme-api", plan: "heroku-postgresql:standard-0", encryptionKeyArn: KEY },
    "encryptionKeyArn needs",
  ],
  [
    "a malformed key ARN",
    "SecureDatabase",
    { app: "acme-api", plan: PRIVATE, encryptionKeyArn: "not-an-arn" },
    "encryptionKeyArn must be a KMS key ARN",
  ],
  ["a multi-Region key", "SecureDatabase", { app: "acme-api", plan: PRIVATE, encryptionKeyArn: MRK }, "multi-Region"],
  [
    "Enhanced Certificates not a boolean",
    "SecureDatabase",
    { app: "acme-api", plan: PRIVATE, enhancedCertificates: "yes" },
    "enhancedCertificates must be true or false",
  ],
  [
    "a timeout that is not a duration",
    "SecureDatabase",
    { app: "acme-api", plan: PRIVATE, timeouts: { create: "soon" } },
    'timeouts.create must be a duration like "20m"',
  ],
  [
    "no certificate names",
    "MtlsConfig",
    { database: DB, certificateNames: [] },
    "certificateNames must hold at least 1 name",
  ],
  [
    "a certificate name with a space",
    "MtlsConfig",
    { database: DB, certificateNames: ["bi tool"] },
    "certificate names must be 1 to 50",
  ],
  [
    "a certificate name of 51 characters",
    "MtlsConfig",
    { database: DB, certificateNames: ["c".repeat(51)] },
    "certificate names must be 1 to 50",
  ],
  [
    "a duplicate certificate name",
    "MtlsConfig",
    { database: DB, certificateNames: ["ci", "ci"] },
    "certificate names must be unique",
  ],
  ["mTLS without a database", "MtlsConfig", { database: "", certificateNames: ["ci"] }, "database is required"],
  [
    "an octet above 255",
    "IpRule",
    { database: DB, cidr: "10.0.0.256/32", description: "x" },
    "each octet must be 0 to 255",
  ],
  [
    "a prefix above 32",
    "IpRule",
    { database: DB, cidr: "10.0.0.0/33", description: "x" },
    "prefix /33 must be a whole number from 0 to 32",
  ],
  ["host bits set", "IpRule", { database: DB, cidr: "10.1.2.3/8", description: "x" }, "did you mean 10.0.0.0/8"],
  [
    "a leading zero",
    "IpRule",
    { database: DB, cidr: "010.0.0.0/8", description: "x" },
    'octet "010" has a leading zero',
  ],
  [
    "an address without a prefix",
    "IpRule",
    { database: DB, cidr: "10.0.0.1", description: "x" },
    "a single address is written 10.0.0.1/32",
  ],
  [
    "the whole internet without acknowledgement",
    "IpRule",
    { database: DB, cidr: "0.0.0.0/0", description: "x" },
    "need acknowledgeWideCidr: true",
  ],
  [
    "a /7 without acknowledgement",
    "IpRule",
    { database: DB, cidr: "10.0.0.0/7", description: "x" },
    "need acknowledgeWideCidr: true",
  ],
  ["an empty CIDR", "IpRule", { database: DB, cidr: "", description: "x" }, "cidr must be an IPv4 CIDR block"],
  [
    "an IPv6 CIDR",
    "IpRule",
    { database: DB, cidr: "2001:db8::/32", description: "x" },
    "cidr must be an IPv4 CIDR block",
  ],
  [
    "an empty description",
    "IpRule",
    { database: DB, cidr: "10.0.0.0/8", description: "" },
    "description is required and must not be blank",
  ],
  [
    "a description of 256 characters",
    "IpRule",
    { database: DB, cidr: "10.0.0.0/8", description: "d".repeat(256) },
    "description must be at most 255 characters",
  ],
  [
    "an IP rule without a database",
    "IpRule",
    { database: "", cidr: "10.0.0.0/8", description: "x" },
    "database is required",
  ],
  [
    "the reserved default credential",
    "Credential",
    { database: DB, name: "default" },
    'name "default" is the database\'s default credential',
  ],
  [
    "a credential name with a space",
    "Credential",
    { database: DB, name: "bad name!" },
    'name must be 1 to 50 letters, digits, "-" or "_"',
  ],
  [
    "a credential name of 51 characters",
    "Credential",
    { database: DB, name: "n".repeat(51) },
    'name must be 1 to 50 letters, digits, "-" or "_"',
  ],
  [
    "a name Heroku uses while rotating",
    "Credential",
    { database: DB, name: "ops-rotating" },
    'name must not end in "-rotating"',
  ],
  [
    "an unknown permission level",
    "Credential",
    { database: DB, name: "ops", permissions: "admin" },
    'permissions must be one of "none", "read-only", "read-write", got "admin"',
  ],
  [
    "a system schema",
    "Credential",
    { database: DB, name: "ops", schemas: ["pg_catalog"] },
    'schemas[0]: schema "pg_catalog" is a system schema',
  ],
  [
    "no schema",
    "Credential",
    { database: DB, name: "ops", schemas: [] },
    "schemas must be a non-empty list of schema names",
  ],
  [
    "an app name with capitals",
    "Credential",
    { database: DB, name: "ops", attachments: [{ app: "Bad_App" }] },
    "attachments[0].app: app names are 3 to 30 lowercase letters",
  ],
  [
    "a lowercase attachment name",
    "Credential",
    { database: DB, name: "ops", attachments: [{ app: "acme-api", name: "lower" }] },
    "attachments[0].name: attachment names are 1 to 50 uppercase letters",
  ],
  [
    "a description of 10 KB",
    "IpRule",
    { database: DB, cidr: "10.0.0.0/8", description: "d".repeat(10_240) },
    "description must be at most 255 characters, got 10240",
  ],
  [
    "a key region that is not a region",
    "SecureDatabase",
    { app: "acme-api", plan: PRIVATE, encryptionKeyRegion: "virginia" },
    'encryptionKeyRegion must be an AWS region name like us-east-1, got "virginia"',
  ],
  [
    "a plan without the service prefix",
    "SecureDatabase",
    { app: "acme-api", plan: "private-0" },
    'plan must be a Heroku Postgres plan like "heroku-postgresql:private-0", got "private-0"',
  ],
  [
    "an app name of 31 characters",
    "SecureDatabase",
    { app: "a".repeat(31), plan: PRIVATE },
    "app must be an app id or a name of 3 to 30 lowercase letters",
  ],
  [
    "Enhanced Certificates on an Essential plan",
    "SecureDatabase",
    { app: "acme-hobby", plan: "heroku-postgresql:essential-0", enhancedCertificates: true },
    "enhancedCertificates needs a standard, premium, private, shield plan, not essential",
  ],
  [
    "Enhanced Certificates on PostgreSQL 12",
    "SecureDatabase",
    { app: "acme-api", plan: PRIVATE, enhancedCertificates: true, postgresVersion: "12" },
    "enhancedCertificates needs postgresVersion 13 or later, got 12",
  ],
  [
    "an attachment name for the add-on in lower case",
    "SecureDatabase",
    { app: "acme-api", plan: PRIVATE, attachmentName: "main" },
    "attachmentName must start with an uppercase letter",
  ],
  [
    "the same attachment twice",
    "Credential",
    { database: DB, name: "ops", attachments: [{ app: "acme-api" }, { app: "acme-api" }] },
    "attachments[1] repeats app acme-api without a name (also at index 0)",
  ],
  ["a credential name of 10 KB", "Credential", { database: DB, name: "n".repeat(10_240) }, "... (10240 characters)"],
  [
    "61 allowed CIDRs",
    "SecurePostgres",
    { app: "acme-api", allowedCidrs: Array.from({ length: 61 }, (_, i) => `10.${i}.0.0/16`) },
    "allowedCidrs: 61 CIDRs given, but Heroku allows at most 60 per database",
  ],
  [
    "a CIDR allowed twice",
    "SecurePostgres",
    { app: "acme-api", allowedCidrs: ["10.0.0.0/8", "10.0.0.0/8"] },
    "allowedCidrs: cidr 10.0.0.0/8 is listed twice",
  ],
  [
    "mTLS with Enhanced Certificates",
    "SecurePostgres",
    { app: "acme-api", allowedCidrs: ["10.0.0.0/8"], enhancedCertificates: true },
    "enhancedCertificates: Enhanced Certificates cannot be used together with mutual TLS",
  ],
  [
    "60 credentials plus the default",
    "SecurePostgres",
    {
      app: "acme-api",
      credentials: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`c${i}`, { permissions: "none" }])),
    },
    "exceed Heroku's limit of 60 per database",
  ],
  [
    "a customer key on a standard plan",
    "SecurePostgres",
    { app: "acme-api", plan: "heroku-postgresql:standard-0" },
    "plan: a customer encryption key needs a heroku-postgresql:private-* or shield-* plan",
  ],
];

/**
 * A case decided with facts from Heroku. `$standard`, `$ec`, ... in args, expected text and reads stand for the
 * databases made before the batches run (see beforeAll). `reads`: the GETs this case needs (shared ones are made
 * once per preview). `passes`: a control that must not be refused.
 */
interface FactCase {
  what: string;
  type: string;
  args: Record<string, unknown>;
  expected?: string;
  reads: string[];
  dependsOn?: string[];
  name?: string;
  passes?: boolean;
}

const app = (name: string): string => `GET /apps/${name}`;
const dbInfo = (db: string): string => `GET /client/v11/databases/${db}`;
const ipRules = (db: string): string => `GET /postgres/v0/databases/${db}/tls-endpoint/ip-rules`;
const credentials = (db: string): string => `GET /postgres/v0/databases/${db}/credentials`;

const factCases: FactCase[] = [
  {
    what: "an app name with a typo",
    type: "SecureDatabase",
    args: { app: "acme-apii", plan: PRIVATE },
    expected: 'app: app "acme-apii" does not exist at Heroku (it answered 404)',
    reads: [PLANS, app("acme-apii")],
  },
  {
    what: "another team's app",
    type: "SecureDatabase",
    args: { app: "globex-api", plan: PRIVATE },
    expected: 'app: app "globex-api" is not visible to the account of HEROKU_API_KEY (Heroku answered 403)',
    reads: [PLANS, app("globex-api")],
  },
  {
    what: "a plan size that does not exist",
    type: "SecureDatabase",
    args: { app: "acme-api", plan: "heroku-postgresql:private-99" },
    expected: 'plan "heroku-postgresql:private-99" is not a plan Heroku offers for heroku-postgresql',
    reads: [PLANS, app("acme-api")],
  },
  {
    what: "a tier that does not exist",
    type: "SecureDatabase",
    args: { app: "acme-api", plan: "heroku-postgresql:zzz-0" },
    expected: 'plan "heroku-postgresql:zzz-0" is not a plan Heroku offers',
    reads: [PLANS, app("acme-api")],
  },
  {
    what: "a size Heroku skips (private-1)",
    type: "SecureDatabase",
    args: { app: "acme-api", plan: "heroku-postgresql:private-1" },
    expected: "the private plans are private-0, private-2",
    reads: [PLANS, app("acme-api")],
  },
  {
    what: "an Essential size that does not exist",
    type: "SecureDatabase",
    args: { app: "acme-hobby", plan: "heroku-postgresql:essential-9" },
    expected: "the essential plans are essential-0, essential-1, essential-2",
    reads: [PLANS, app("acme-hobby")],
  },
  {
    what: "a Private plan in the Common Runtime",
    type: "SecureDatabase",
    args: { app: "acme-hobby", plan: PRIVATE },
    expected:
      "plan heroku-postgresql:private-0 needs an app in a Private Space, but app acme-hobby runs in the Common Runtime",
    reads: [PLANS, app("acme-hobby")],
  },
  {
    what: "a Shield plan in a Private Space",
    type: "SecureDatabase",
    args: { app: "acme-api", plan: "heroku-postgresql:shield-0" },
    expected: "plan heroku-postgresql:shield-0 needs a Shield Space, but app acme-api is in Private Space acme-private",
    reads: [PLANS, app("acme-api")],
  },
  {
    what: "a Private plan in a Shield Space",
    type: "SecureDatabase",
    args: { app: "acme-vault", plan: PRIVATE },
    expected: "plan heroku-postgresql:private-0 cannot run in Shield Space acme-shield (app acme-vault)",
    reads: [PLANS, app("acme-vault")],
  },
  {
    what: "a Shield plan on a Fir app",
    type: "SecureDatabase",
    args: { app: "acme-fir-api", plan: "heroku-postgresql:shield-0" },
    expected: "needs a Shield Space, which only the cedar generation has, but app acme-fir-api is a fir app",
    reads: [PLANS, app("acme-fir-api")],
  },
  {
    what: "a key in another region than the app's space",
    type: "SecureDatabase",
    args: { app: "acme-api", plan: PRIVATE, encryptionKeyArn: KEY_OREGON },
    expected:
      "encryptionKeyArn is a key in us-west-2, but app acme-api runs in acme-private in virginia (us-east-1); the key must be in us-east-1",
    reads: [PLANS, app("acme-api")],
  },
  {
    what: "a key in Virginia for a Frankfurt space",
    type: "SecureDatabase",
    args: { app: "acme-eu", plan: PRIVATE, encryptionKeyArn: KEY },
    expected: "the key must be in eu-central-1",
    reads: [PLANS, app("acme-eu")],
  },
  {
    what: "a declared key region other than the space's",
    type: "SecureDatabase",
    args: { app: "acme-eu", plan: PRIVATE, encryptionKeyRegion: "us-east-1" },
    expected:
      "encryptionKeyRegion is us-east-1 (the region of the key made for this database), but app acme-eu runs in acme-frankfurt in frankfurt (eu-central-1)",
    reads: [PLANS, app("acme-eu")],
  },
  {
    what: "control: a valid database",
    type: "SecureDatabase",
    args: { app: "acme-reports", plan: "heroku-postgresql:private-2", encryptionKeyArn: KEY },
    reads: [PLANS, app("acme-reports")],
    passes: true,
  },
  {
    what: "mTLS on a Standard plan",
    type: "MtlsConfig",
    args: { database: "$standard", certificateNames: ["ci"] },
    expected: "database $standard is on plan standard-0; mTLS is only available on Private and Shield plans",
    reads: [dbInfo("$standard")],
  },
  {
    what: "mTLS on a database with Enhanced Certificates",
    type: "MtlsConfig",
    args: { database: "$ec", certificateNames: ["ci"] },
    expected: "database $ec has Enhanced Certificates Enabled; mTLS and Enhanced Certificates cannot be used together",
    reads: [dbInfo("$ec")],
  },
  {
    what: "mTLS on a database that does not exist",
    type: "MtlsConfig",
    args: { database: NO_DB, certificateNames: ["ci"] },
    expected: `database: database "${NO_DB}" does not exist at Heroku (it answered 404)`,
    reads: [dbInfo(NO_DB)],
  },
  {
    what: "control: mTLS on a Private database",
    type: "MtlsConfig",
    name: "mtls-ok",
    args: { database: "$plain", certificateNames: ["ci"] },
    reads: [dbInfo("$plain")],
    passes: true,
  },
  {
    what: "control: an IP rule on the database that mTLS of this stack enables",
    type: "IpRule",
    args: { database: "$plain", cidr: "198.51.100.0/24", description: "office" },
    dependsOn: ["mtls-ok"],
    reads: [dbInfo("$plain"), ipRules("$plain")],
    passes: true,
  },
  {
    what: "an IP rule on a database without mTLS",
    type: "IpRule",
    args: { database: "$standard", cidr: "10.0.0.0/8", description: "x" },
    expected:
      "database $standard has no mTLS (Heroku's tls-endpoint answers 404) and no MtlsConfig of this stack enables it",
    reads: [dbInfo("$standard"), ipRules("$standard")],
  },
  {
    what: "an IP rule on a database that does not exist",
    type: "IpRule",
    args: { database: NO_DB, cidr: "10.0.0.0/8", description: "x" },
    expected: `database: database "${NO_DB}" does not exist at Heroku`,
    reads: [dbInfo(NO_DB)],
  },
  {
    what: "a credential on an Essential-plan database",
    type: "Credential",
    args: { database: "$essential", name: "ops" },
    expected: "database $essential is on plan essential-0; credentials are only available on production plans",
    reads: [dbInfo("$essential")],
  },
  {
    what: "a credential on a follower",
    type: "Credential",
    args: { database: "$follower", name: "ops" },
    expected: "database $follower follows $private: This operation is not supported for follower databases.",
    reads: [dbInfo("$follower")],
  },
  {
    what: "a credential on a database that does not exist",
    type: "Credential",
    args: { database: NO_DB, name: "ops" },
    expected: `database: database "${NO_DB}" does not exist at Heroku`,
    reads: [dbInfo(NO_DB)],
  },
  {
    what: "an attachment to an app that does not exist",
    type: "Credential",
    args: { database: "$plain", name: "bi", attachments: [{ app: "acme-reports" }, { app: "acme-repotrs" }] },
    expected: 'attachments[1].app: app "acme-repotrs" does not exist at Heroku (it answered 404)',
    reads: [app("acme-reports"), app("acme-repotrs"), dbInfo("$plain"), credentials("$plain")],
  },
  {
    what: "an attachment to another team's app",
    type: "Credential",
    args: { database: "$plain", name: "bi2", attachments: [{ app: "globex-api", name: "ACME_DB" }] },
    expected:
      'attachments[0].app: app "globex-api" is not visible to the account of HEROKU_API_KEY (Heroku answered 403)',
    reads: [app("globex-api"), dbInfo("$plain"), credentials("$plain")],
  },
  {
    what: "control: a credential attached to an app of the team",
    type: "Credential",
    args: { database: "$plain", name: "analyst", attachments: [{ app: "acme-reports" }] },
    reads: [app("acme-reports"), dbInfo("$plain"), credentials("$plain")],
    passes: true,
  },
];

/**
 * The 61st IP rule and the 61st credential of a database that has 59 of each at Heroku (the default credential
 * included), declared as plain resources: of the two declared, exactly one is refused.
 */
const countCases: FactCase[] = [
  {
    what: "IP rule A",
    type: "IpRule",
    name: "rule-a",
    args: { database: "$private", cidr: "10.200.0.0/16", description: "a" },
    reads: [dbInfo("$private"), ipRules("$private")],
  },
  {
    what: "IP rule B",
    type: "IpRule",
    name: "rule-b",
    args: { database: "$private", cidr: "10.201.0.0/16", description: "b" },
    reads: [dbInfo("$private"), ipRules("$private")],
  },
  {
    what: "credential A",
    type: "Credential",
    name: "cred-a",
    args: { database: "$private", name: "ops-a" },
    reads: [dbInfo("$private"), credentials("$private")],
  },
  {
    what: "credential B",
    type: "Credential",
    name: "cred-b",
    args: { database: "$private", name: "ops-b" },
    reads: [dbInfo("$private"), credentials("$private")],
  },
];

interface ComponentCase {
  what: string;
  args: Record<string, unknown>;
  expected: string;
  reads: string[];
}

const componentCases: ComponentCase[] = [
  ...shapeCasesOf("SecurePostgres").map(([what, , args, expected]) => ({ what, args, expected, reads: [] })),
  {
    what: "a customer key in another region than the app's space",
    args: { app: "acme-api", customerKey: { region: "eu-central-1" } },
    expected:
      "encryptionKeyRegion is eu-central-1 (the region of the key made for this database), but app acme-api runs in acme-private in virginia (us-east-1); the key must be in us-east-1",
    reads: [PLANS, app("acme-api")],
  },
  {
    what: "an app name with a typo",
    args: { app: "acme-apii" },
    expected: 'app: app "acme-apii" does not exist at Heroku',
    reads: [PLANS, app("acme-apii")],
  },
  {
    what: "a plan Heroku does not offer",
    args: { app: "acme-api", plan: "heroku-postgresql:private-99" },
    expected: 'plan "heroku-postgresql:private-99" is not a plan Heroku offers',
    reads: [PLANS, app("acme-api")],
  },
  {
    what: "the Common Runtime",
    args: { app: "acme-hobby" },
    expected: "needs an app in a Private Space, but app acme-hobby runs in the Common Runtime",
    reads: [PLANS, app("acme-hobby")],
  },
  {
    what: "a credential attached to an app that does not exist",
    args: { app: "acme-api", credentials: { bi: { permissions: "read-only", attachTo: ["acme-repotrs"] } } },
    expected: 'attachments[0].app: app "acme-repotrs" does not exist at Heroku',
    reads: [PLANS, app("acme-api"), app("acme-repotrs")],
  },
  {
    what: "a credential name of 10 KB",
    args: { app: "acme-api", credentials: { ["n".repeat(10_240)]: { permissions: "none" } } },
    expected: "... (10240 characters)",
    reads: [],
  },
];

function shapeCasesOf(type: string): ShapeCase[] {
  return shapeCases.filter((c) => c[1] === type);
}

/** What a shape case's args are laid over: every required field valid. */
const BASE_ARGS: Record<string, Record<string, unknown>> = {
  CustomerKey: {},
  SecureDatabase: { app: "acme-api", plan: PRIVATE },
  MtlsConfig: { database: DB, certificateNames: ["ci"] },
  IpRule: { database: DB, cidr: "10.0.0.0/8", description: "x" },
  Credential: { database: DB, name: "ops" },
};

/** One preview of one resource holding several cases, each on fields the others leave at their base value. */
interface ShapeBatch {
  type: string;
  args: Record<string, unknown>;
  cases: { what: string; expected: string }[];
}

/**
 * Pulumi's preview stops at the first resource whose check fails (the step generator bails), but a check
 * reports every failure of its resource. So cases on different fields of one resource type share a preview.
 */
function packShapeCases(): ShapeBatch[] {
  const batches: (ShapeBatch & { fields: Set<string> })[] = [];
  for (const [what, type, args, expected] of shapeCases) {
    if (type === "SecurePostgres") continue;
    const base = BASE_ARGS[type] ?? {};
    const fields = Object.keys(args).filter((k) => JSON.stringify(args[k]) !== JSON.stringify(base[k]));
    const batch = batches.find((b) => b.type === type && fields.every((f) => !b.fields.has(f)));
    const target = batch ?? { type, args: { ...base }, cases: [], fields: new Set<string>() };
    if (!batch) batches.push(target);
    for (const f of fields) {
      target.fields.add(f);
      target.args[f] = args[f];
    }
    target.cases.push({ what, expected });
  }
  return batches.map(({ type, args, cases }) => ({ type, args, cases }));
}

/** The databases the fact cases name, made through the API before the previews (their log is cleared). */
const dbs: Record<string, string> = {};

function resolve<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value).replace(/\$(standard|ec|essential|follower|private|plain)\b/g, (_m, k: string) => {
      const db = dbs[k];
      if (!db) throw new Error(`no database ${k}`);
      return db;
    }),
  ) as T;
}

async function provision(appName: string, body: Record<string, unknown>): Promise<string> {
  const addon = await herokuJson<{ id: string; name: string }>(services, "POST", `/apps/${appName}/addons`, body);
  await waitFor(`add-on ${addon.name}`, async () => {
    const now = await herokuJson<{ state: string }>(services, "GET", `/apps/${appName}/addons/${addon.id}`);
    return now.state === "provisioned";
  });
  return addon.name;
}

async function waitFor(what: string, ready: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await ready()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not happen`);
}

interface Resource {
  type: string;
  name: string;
  args: unknown;
  dependsOn?: string[];
}

let previews = 0;

/** One preview (its own stack); `text` is all the CLI printed, errors included. */
async function preview(resources: Resource[]): Promise<StackResult & { text: string }> {
  const n = ++previews;
  const r = await runStack("preview", {
    program: "dist/tests/e2e/programs/bad-input.js",
    project: "bad-input",
    stack: `bad${n}`,
    stateDir: path.join(workDir, "state"),
    env: services.env,
    config: { cases: JSON.stringify(resources) },
  });
  const text = `${r.error ?? ""}\n${r.log}`;
  if (process.env.HPS_BAD_INPUT_LOGS) fs.writeFileSync(path.join(process.env.HPS_BAD_INPUT_LOGS, `bad${n}.log`), text);
  return { ...r, text };
}

/** Each resource's reported problems: Pulumi prints "<type> resource '<name>' has a problem: <reason>". */
function problemsOf(log: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const m of log.matchAll(/resource '([^']+)' has a problem: (.*)$/gm)) {
    const [, name, reason] = m;
    if (!name || reason === undefined) continue;
    out.set(name, (out.get(name) ?? new Set()).add(reason));
  }
  return out;
}

/** Nothing changed at Heroku, and the reads since the log was cleared were exactly `reads`, each once. */
async function expectReadsOnly(reads: readonly string[]): Promise<void> {
  const log = (await requestLog(services)).map((r) => `${r.method} ${r.path}`);
  expect(log.filter((r) => !r.startsWith("GET "))).toEqual([]);
  expect([...log].sort()).toEqual([...reads].sort());
}

/** The way the CLI shows a crash of a program or package, which no refusal may look like. */
function expectNoCrashText(text: string): void {
  expect(text).not.toContain("Unhandled exception");
  expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  // Pulumi's echo of a failure's value ("property X value {...} has a problem"), which a failure without a
  // property avoids.
  expect(text).not.toMatch(/property \S+ value .* has a problem/);
  expect(text).not.toContain("d".repeat(300));
  expect(text).not.toContain("n".repeat(300));
}

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "hps-e2e-bad-input-"));
  services = await startServices();
  await controlJson(services, "POST", "/reset");
  await controlJson(services, "PUT", "/speed", {
    ...FAST_SPEEDS,
    "addon-provision": "immediate",
    credential: "immediate",
    mtls: "immediate",
    "ip-rule": "immediate",
  });
  dbs.standard = await provision("acme-api", { plan: "heroku-postgresql:standard-0" });
  dbs.ec = await provision("acme-reports", { plan: PRIVATE, config: { "enhanced-certificates-beta": true } });
  dbs.essential = await provision("acme-hobby", { plan: "heroku-postgresql:essential-0" });
  dbs.private = await provision("acme-api", { plan: PRIVATE });
  dbs.follower = await provision("acme-api", { plan: PRIVATE, config: { follow: dbs.private } });
  dbs.plain = await provision("acme-reports", { plan: PRIVATE });
  const base = `/postgres/v0/databases/${dbs.private}`;
  await herokuJson(services, "POST", `${base}/tls-endpoint`);
  await waitFor("mTLS", async () => {
    return (await herokuJson<{ status: string }>(services, "GET", `${base}/tls-endpoint`)).status === "Operational";
  });
  for (let i = 0; i < 59; i++) {
    await herokuJson(services, "POST", `${base}/tls-endpoint/ip-rules`, {
      cidr: `10.${i}.0.0/16`,
      description: `r${i}`,
    });
  }
  for (let i = 0; i < 58; i++) await herokuJson(services, "POST", `${base}/credentials`, { name: `c${i}` });
  expect(await herokuJson<unknown[]>(services, "GET", `${base}/credentials`)).toHaveLength(59);
  expect(await herokuJson<unknown[]>(services, "GET", `${base}/tls-endpoint/ip-rules`)).toHaveLength(59);
});

beforeEach(async () => {
  await controlJson(services, "DELETE", "/requests");
});

afterAll(async () => {
  await services?.stop();
  fs.rmSync(workDir, { recursive: true, force: true });
});

const refusals =
  shapeCases.length +
  factCases.filter((c) => !c.passes).length +
  2 +
  componentCases.length -
  shapeCasesOf("SecurePostgres").length;

test(`at least 60 invalid inputs are covered (${refusals})`, () => {
  expect(refusals).toBeGreaterThanOrEqual(60);
});

test.each(packShapeCases().map((b) => [b.cases.map((c) => c.what).join("; "), b.type, b] as const))(
  "%s (%s): refused at preview with no call to Heroku",
  async (_what, type, batch) => {
    const r = await preview([{ type, name: "subject", args: batch.args }]);
    expect(r.error).toBeDefined();
    const reported = [...(problemsOf(r.text).get("subject") ?? [])];
    for (const c of batch.cases) {
      expect({ what: c.what, found: reported.some((p) => p.includes(c.expected)) }).toEqual({
        what: c.what,
        found: true,
      });
    }
    // One line per rule broken: each case's field and rule are named once.
    expect(reported.length).toBeLessThanOrEqual(batch.cases.length + 1);
    expectNoCrashText(r.text);
    await expectReadsOnly([]);
  },
);

test.each(factCases.filter((c) => !c.passes).map((c) => [c.what, c.type, c] as const))(
  "%s (%s): refused at preview after read-only calls, each made once",
  async (_what, type, raw) => {
    const c = resolve(raw);
    const r = await preview([{ type, name: "subject", args: c.args }]);
    expect(r.error).toBeDefined();
    expect([...(problemsOf(r.text).get("subject") ?? [])]).toEqual([expect.stringContaining(c.expected ?? "")]);
    expectNoCrashText(r.text);
    await expectReadsOnly(c.reads);
  },
);

test("controls: valid resources that need the same facts pass, reading each fact once", async () => {
  const cases = resolve(factCases.filter((c) => c.passes));
  const r = await preview(
    cases.map((c, i) => ({ type: c.type, name: c.name ?? `control${i}`, args: c.args, dependsOn: c.dependsOn })),
  );
  expect(r.error).toBeUndefined();
  expect(r.changeSummary).toEqual({ create: cases.length + 1 });
  await expectReadsOnly([...new Set(cases.flatMap((c) => c.reads))]);
});

test.each([
  ["IP rule", "IpRule", "IP rules (59 at Heroku + 2 more declared in this stack, this one included)"],
  [
    "credential",
    "Credential",
    "credentials (59 at Heroku, the default included, + 2 more declared in this stack, this one included)",
  ],
])("the 61st %s of a database, declared as a plain resource, is refused", async (_what, type, count) => {
  const cases = resolve(countCases.filter((c) => c.type === type));
  const r = await preview(cases.map((c) => ({ type: c.type, name: c.name ?? "", args: c.args })));
  expect(r.error).toBeDefined();
  const problems = problemsOf(r.text);
  const reported = cases.flatMap((c) => [...(problems.get(c.name ?? "") ?? [])]);
  const limit = type === "IpRule" ? "60 IP rules" : "60 credentials";
  expect(reported).toEqual([
    `database ${dbs.private} would have 61 ${count}; Heroku Postgres allows at most ${limit} per database`,
  ]);
  expectNoCrashText(r.text);
  await expectReadsOnly([...new Set(cases.flatMap((c) => c.reads))]);
});

test.each(componentCases.map((c) => [c.what, c] as const))(
  "SecurePostgres: %s fails at preview, printed once without a stack",
  async (_what, c) => {
    const r = await preview([{ type: "SecurePostgres", name: "subject", args: c.args }]);
    expect(r.error).toBeDefined();
    expect(r.text).toContain(c.expected);
    expectNoCrashText(r.text);
    await expectReadsOnly(c.reads);
  },
);

test("a deployed database: a no-change preview makes no call; turning Enhanced Certificates on under mTLS is refused", async () => {
  const deployed = (args: Record<string, unknown>): Parameters<typeof runStack>[1] => ({
    program: "dist/tests/e2e/programs/bad-input.js",
    project: "bad-input",
    stack: "deployed",
    stateDir: path.join(workDir, "state"),
    env: services.env,
    config: { cases: JSON.stringify([{ type: "SecureDatabase", name: "subject", args }]) },
  });
  const base = { app: "acme-eu", plan: PRIVATE, enhancedCertificates: false };
  const up = await runStack("up", deployed(base));
  expect(up.error).toBeUndefined();
  const [addon] = (await herokuJson<{ name: string }[]>(services, "GET", "/apps/acme-eu/addons")).map((a) => a.name);
  if (!addon) throw new Error("the up made no add-on");
  // mTLS enabled outside this stack (say, by another stack's MtlsConfig).
  await herokuJson(services, "POST", `/postgres/v0/databases/${addon}/tls-endpoint`);
  await waitFor("mTLS", async () => {
    const endpoint = await herokuJson<{ status: string }>(
      services,
      "GET",
      `/postgres/v0/databases/${addon}/tls-endpoint`,
    );
    return endpoint.status === "Operational";
  });

  await controlJson(services, "DELETE", "/requests");
  const same = await runStack("preview", { ...deployed(base), expectNoChanges: true });
  expect(same.error).toBeUndefined();
  await expectReadsOnly([]);

  const r = await runStack("preview", deployed({ ...base, enhancedCertificates: true }));
  const text = `${r.error ?? ""}\n${r.log}`;
  expect([...(problemsOf(text).get("subject") ?? [])]).toEqual([
    `enhancedCertificates: database ${addon} has mTLS Operational, and Enhanced Certificates cannot be used together with mTLS; remove its MtlsConfig (and IP rules) in one pulumi up, then turn Enhanced Certificates on in the next`,
  ]);
  expectNoCrashText(text);
  await expectReadsOnly([`GET /postgres/v0/databases/${addon}/tls-endpoint`]);
});

test("no KMS key was made", async () => {
  const kms = new KMSClient({
    region: "us-east-1",
    endpoint: services.env.AWS_ENDPOINT_URL_KMS,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
  expect((await kms.send(new ListKeysCommand({}))).Keys ?? []).toEqual([]);
});
