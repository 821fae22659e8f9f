// Every invalid input fails at `pulumi preview` with a message that names the field and the rule, and nothing
// reaches Heroku (no mutating call in the emulator's request log) or KMS (no key made in moto).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { KMSClient, ListKeysCommand } from "@aws-sdk/client-kms";
import { startServices, type Services } from "../support/services";
import { runStack } from "../support/pulumi";
import { controlJson, mutatingRequests } from "./emulator-client";
import { stackOptions, testProgram } from "./fixture";

jest.setTimeout(20 * 60_000);

let services: Services;
let workDir: string;

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const MRK = "arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab";
const DB = "postgresql-example-12345";
const PRIVATE = "heroku-postgresql:private-0";

/** [what is wrong, resource class, its args, text the preview's error must contain (field and rule)] */
type Case = [string, string, Record<string, unknown>, string];

const cases: Case[] = [
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

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "hps-e2e-bad-input-"));
  services = await startServices();
  await controlJson(services, "DELETE", "/requests");
});

afterAll(async () => {
  await services?.stop();
  fs.rmSync(workDir, { recursive: true, force: true });
});

test(`at least 40 invalid inputs are covered`, () => {
  expect(cases.length).toBeGreaterThanOrEqual(40);
});

test.each(cases)("%s (%s) fails at preview", async (_what, type, args, expected) => {
  const r = await runStack(
    "preview",
    stackOptions(testProgram("bad-input", "bad-input"), { workDir, env: services.env }, "bad", {
      config: { case: JSON.stringify({ type, args }) },
    }),
  );
  expect(r.error).toBeDefined();
  expect(r.error).toContain(expected);
  expect(await mutatingRequests(services)).toEqual([]);
});

test("no KMS key was made", async () => {
  const kms = new KMSClient({
    region: "us-east-1",
    endpoint: services.env.AWS_ENDPOINT_URL_KMS,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
  expect((await kms.send(new ListKeysCommand({}))).Keys ?? []).toEqual([]);
});
