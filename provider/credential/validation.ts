import { isProductionPlan, PRODUCTION_PLAN_TIERS } from "../shared/plans";
import { type CheckFailure, echo, Failures, isUnknown } from "../shared/check";
import { isRecord } from "../shared/equality";
import { checkTimeouts } from "../shared/timeouts";
import type { CredentialInputs, PermissionLevel } from "./types";

// Dev Center's "Heroku Postgres Credentials" (docs/heroku-api.md), "Caveats": alphanumeric, "-" and "_", no longer than 50 (HX validates ^[a-zA-Z0-9_-]{1,50}$).
export const MAX_CREDENTIAL_NAME_LENGTH = 50;
export const CREDENTIAL_NAME_PATTERN = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_CREDENTIAL_NAME_LENGTH}}$`);
// docs/heroku-api.md 2.3: "Default credential cannot be destroyed"; it exists from provisioning on.
export const DEFAULT_CREDENTIAL_NAME = "default";
// Dev Center's "Heroku Postgres Credentials" (docs/heroku-api.md), "Credential Rotation State Details": a rotation's temporary user is `<name>-rotating`, so a
// credential named like that would collide with another's rotation. Our own guard.
export const ROTATING_USER_SUFFIX = "-rotating";
// Dev Center's "Heroku Postgres Credentials" (docs/heroku-api.md), "Limits". We count the default credential among the 60 (the list endpoint returns it too).
export const MAX_CREDENTIALS_PER_DATABASE = 60;
export const PERMISSION_LEVELS: readonly PermissionLevel[] = ["none", "read-only", "read-write"];
export const DEFAULT_PERMISSION_LEVEL: PermissionLevel = "none";
export const DEFAULT_SCHEMAS: readonly string[] = ["public"];
// PostgreSQL truncates identifiers to NAMEDATALEN-1 = 63 bytes; a longer one would grant on another name.
export const MAX_IDENTIFIER_BYTES = 63;
// Dev Center's "Heroku Postgres Credentials" (docs/heroku-api.md): information_schema and pg_catalog are readable by all and "aren't subject to the above permissions".
export const SYSTEM_SCHEMA_PREFIX = "pg_";
export const INFORMATION_SCHEMA = "information_schema";
// Dev Center's "Heroku Postgres Credentials" (docs/heroku-api.md): credentials only on Standard, Premium, Private and Shield; docs/heroku-api.md 2.3 lists essential-*,
// dev, basic and mini as Essential tier; hobby-* is the older name of the same.
export { PRODUCTION_PLAN_TIERS } from "../shared/plans";
// Dev Center's "Heroku Postgres Credentials" (docs/heroku-api.md), "Forks and Followers": the error Heroku gives.
export const FOLLOWER_REFUSAL = "This operation is not supported for follower databases.";
// Heroku app names: lowercase letters, digits and dashes, starting with a letter, 3 to 30 characters.
export const MIN_APP_NAME_LENGTH = 3;
export const MAX_APP_NAME_LENGTH = 30;
const APP_NAME_PATTERN = new RegExp(`^[a-z][a-z0-9-]{${MIN_APP_NAME_LENGTH - 1},${MAX_APP_NAME_LENGTH - 1}}$`);
// Attachment names become config var prefixes (<NAME>_URL). Heroku documents no length; 50 is our choice.
export const MAX_ATTACHMENT_NAME_LENGTH = 50;
const ATTACHMENT_NAME_PATTERN = new RegExp(`^[A-Z][A-Z0-9_]{0,${MAX_ATTACHMENT_NAME_LENGTH - 1}}$`);

export function credentialNameProblem(name: string): string | undefined {
  if (name === DEFAULT_CREDENTIAL_NAME) {
    return `name "${DEFAULT_CREDENTIAL_NAME}" is the database's default credential: Heroku creates it with the database and it cannot be created or destroyed`;
  }
  if (!CREDENTIAL_NAME_PATTERN.test(name)) {
    return `name must be 1 to ${MAX_CREDENTIAL_NAME_LENGTH} letters, digits, "-" or "_", got ${echo(name)}`;
  }
  if (name.endsWith(ROTATING_USER_SUFFIX)) {
    return `name must not end in "${ROTATING_USER_SUFFIX}": Heroku uses <name>${ROTATING_USER_SUFFIX} as the temporary user while a credential rotates`;
  }
  return undefined;
}

/** The limit check before creating: `existing` credentials (default included) plus `adding`. */
export function checkCredentialCapacity(database: string, existing: number, adding = 1): string | undefined {
  const planned = existing + adding;
  if (planned <= MAX_CREDENTIALS_PER_DATABASE) return undefined;
  return (
    `database ${database} would have ${planned} credentials (${existing} existing, the default included, + ${adding} new); ` +
    `Heroku Postgres allows at most ${MAX_CREDENTIALS_PER_DATABASE} credentials per database`
  );
}

export { isProductionPlan } from "../shared/plans";

/** What the hook reads about the database before creating a credential. */
export interface CredentialDatabaseFacts {
  database: string;
  plan: string;
  /** The leader's name when the database is a follower (info row "Following"); undefined otherwise. */
  followerOf?: string;
}

/** Production plans only, never on followers (Dev Center's "Heroku Postgres Credentials" (docs/heroku-api.md)). Failures are reported on `database`. */
export function checkCredentialDatabase(facts: CredentialDatabaseFacts): CheckFailure[] {
  const failures: CheckFailure[] = [];
  if (!isProductionPlan(facts.plan)) {
    failures.push({
      property: "database",
      reason: `database ${facts.database} is on plan ${facts.plan}; credentials are only available on production plans (${PRODUCTION_PLAN_TIERS.map((t) => `${t}-*`).join(", ")})`,
    });
  }
  if (facts.followerOf !== undefined) {
    failures.push({
      property: "database",
      reason: `database ${facts.database} follows ${facts.followerOf}: ${FOLLOWER_REFUSAL} Create the credential on the leader; it cascades to followers`,
    });
  }
  return failures;
}

/** What the Credential check knows at preview about its database's credentials. */
export interface CredentialCountFacts {
  database: string;
  /** Credential names at Heroku now, the default one included. */
  existing: readonly string[];
  /** Names declared by the Credentials of this run on the database, this one included. */
  declared: readonly string[];
}

/** At most MAX_CREDENTIALS_PER_DATABASE once this run's credentials are made, each name once. */
export function checkCredentialCount(facts: CredentialCountFacts): CheckFailure[] {
  const all = new Set([...facts.existing, ...facts.declared]);
  if (all.size <= MAX_CREDENTIALS_PER_DATABASE) return [];
  const added = facts.declared.filter((n) => !facts.existing.includes(n)).length;
  return [
    {
      property: "database",
      reason:
        `database ${facts.database} would have ${all.size} credentials (${facts.existing.length} at Heroku, the default included, + ${added} more declared in this stack, this one included); ` +
        `Heroku Postgres allows at most ${MAX_CREDENTIALS_PER_DATABASE} credentials per database`,
    },
  ];
}

/** The rule a schema name breaks, or undefined. Any other name is valid: grants.ts quotes it. */
export function schemaNameProblem(schema: string): string | undefined {
  if (schema.length === 0) return "schema names must not be empty";
  if (schema.includes("\0")) return "schema names must not contain NUL";
  if (Buffer.byteLength(schema, "utf8") > MAX_IDENTIFIER_BYTES) {
    return `schema names must be at most ${MAX_IDENTIFIER_BYTES} bytes (PostgreSQL would truncate them), got ${echo(schema)}`;
  }
  if (schema.startsWith(SYSTEM_SCHEMA_PREFIX) || schema === INFORMATION_SCHEMA) {
    return `schema ${JSON.stringify(schema)} is a system schema; every credential can already read the catalogs and permission levels do not apply to them`;
  }
  return undefined;
}

export function appNameProblem(app: string): string | undefined {
  if (APP_NAME_PATTERN.test(app)) return undefined;
  return `app names are ${MIN_APP_NAME_LENGTH} to ${MAX_APP_NAME_LENGTH} lowercase letters, digits and dashes, starting with a letter, got ${echo(app)}`;
}

export function attachmentNameProblem(name: string): string | undefined {
  if (ATTACHMENT_NAME_PATTERN.test(name)) return undefined;
  return `attachment names are 1 to ${MAX_ATTACHMENT_NAME_LENGTH} uppercase letters, digits and underscores, starting with a letter, got ${echo(name)}`;
}

/** The config var an attachment sets on its app (Dev Center's "Heroku Postgres Credentials" (docs/heroku-api.md), "addons:attach"). */
export function attachmentConfigVar(attachmentName: string): string {
  return `${attachmentName}_URL`;
}

/**
 * The pure part of Credential's `check`: defaults applied (permissions `none`, schemas `["public"]`, no
 * attachments), every input rule, no API call. Unknown values (preview) pass.
 */
export function validateCredential(raw: Record<string, unknown>): {
  inputs: CredentialInputs;
  failures: CheckFailure[];
} {
  const f = new Failures();
  const inputs: Record<string, unknown> = { ...raw };
  inputs.permissions ??= DEFAULT_PERMISSION_LEVEL;
  inputs.schemas ??= [...DEFAULT_SCHEMAS];
  inputs.attachments ??= [];

  f.requiredString("database", inputs.database);
  if (f.requiredString("name", inputs.name) && !isUnknown(inputs.name)) {
    const problem = credentialNameProblem(inputs.name);
    if (problem) f.add("name", problem);
  }
  const level = inputs.permissions;
  if (!isUnknown(level) && !PERMISSION_LEVELS.includes(level as PermissionLevel)) {
    f.add(
      "permissions",
      `permissions must be one of ${PERMISSION_LEVELS.map((l) => `"${l}"`).join(", ")}, got ${echo(level)}`,
    );
  }
  checkSchemas(f, inputs.schemas);
  checkAttachments(f, inputs.attachments);
  f.optionalString("rotationTrigger", inputs.rotationTrigger);
  f.optionalBoolean("forceRotation", inputs.forceRotation);
  f.optionalBoolean("adoptExisting", inputs.adoptExisting);
  checkTimeouts(f, inputs.timeouts);
  return { inputs: inputs as unknown as CredentialInputs, failures: f.list };
}

function checkSchemas(f: Failures, schemas: unknown): void {
  if (isUnknown(schemas)) return;
  if (!Array.isArray(schemas) || schemas.length === 0) {
    f.add("schemas", 'schemas must be a non-empty list of schema names, e.g. ["public"]');
    return;
  }
  const seen = new Map<string, number>();
  schemas.forEach((schema: unknown, i) => {
    const property = `schemas[${i}]`;
    if (isUnknown(schema)) return;
    if (typeof schema !== "string") return f.add(property, `${property} must be a string`);
    const problem = schemaNameProblem(schema);
    if (problem) f.add(property, `${property}: ${problem}`);
    const earlier = seen.get(schema);
    if (earlier !== undefined)
      f.add(
        property,
        `${property} repeats ${JSON.stringify(schema)} (also at index ${earlier}); schemas must be unique`,
      );
    else seen.set(schema, i);
  });
}

function checkAttachments(f: Failures, attachments: unknown): void {
  if (isUnknown(attachments)) return;
  if (!Array.isArray(attachments)) {
    f.add("attachments", 'attachments must be a list like [{ app: "acme-reports", name: "ANALYTICS_DB" }]');
    return;
  }
  const seen = new Map<string, number>();
  attachments.forEach((attachment: unknown, i) => {
    const property = `attachments[${i}]`;
    if (isUnknown(attachment)) return;
    if (!isRecord(attachment)) return f.add(property, `${property} must be an object with app and an optional name`);
    const { app, name } = attachment;
    if (!f.requiredString(`${property}.app`, app) || isUnknown(app)) return;
    const appProblem = appNameProblem(app);
    if (appProblem) f.add(`${property}.app`, `${property}.app: ${appProblem}`);
    if (f.optionalString(`${property}.name`, name) && typeof name === "string" && !isUnknown(name)) {
      const nameProblem = attachmentNameProblem(name);
      if (nameProblem) f.add(`${property}.name`, `${property}.name: ${nameProblem}`);
    }
    if (isUnknown(name)) return;
    // Two unnamed attachments to one app count as duplicates too: the same credential would be attached twice.
    const key = `${app}\u0000${typeof name === "string" ? name : ""}`;
    const earlier = seen.get(key);
    const label = typeof name === "string" ? `app ${app} as ${name}` : `app ${app} without a name`;
    if (earlier !== undefined)
      f.add(property, `${property} repeats ${label} (also at index ${earlier}); each app and name pair must be unique`);
    else seen.set(key, i);
  });
}
