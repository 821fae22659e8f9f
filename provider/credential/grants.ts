import { escapeIdentifier } from "pg";
import { ProviderError } from "../shared/errors";
import type { PermissionLevel } from "./types";

/**
 * SQL for permission levels, exactly as Dev Center's "Heroku Postgres Credentials" (docs/heroku-api.md) ("Managing permissions") describes them: run as the default
 * credential (the owner of the database and its tables), per listed schema, revoke first and then grant, and
 * the same for future tables through ALTER DEFAULT PRIVILEGES FOR ROLE <owner>. "Tables" covers views,
 * materialized views and foreign tables, as ALL TABLES IN SCHEMA does.
 */

export type EffectiveLevel = PermissionLevel | "custom";

// What each level holds on a schema's tables and sequences (docs/ARCHITECTURE.md, "Permission levels").
export const LEVEL_PRIVILEGES: Readonly<
  Record<PermissionLevel, { schema: string[]; tables: string[]; sequences: string[] }>
> = {
  none: { schema: [], tables: [], sequences: [] },
  "read-only": { schema: ["USAGE"], tables: ["SELECT"], sequences: [] },
  "read-write": { schema: ["USAGE"], tables: ["SELECT", "INSERT", "UPDATE", "DELETE"], sequences: ["USAGE", "SELECT"] },
};

/**
 * A PostgreSQL identifier, quoted by node-postgres' escapeIdentifier (double quotes, embedded quotes doubled).
 * An empty name or a NUL, which PostgreSQL cannot take in any identifier, is refused first.
 */
export function quoteIdent(name: string): string {
  if (name.length === 0) throw new ProviderError("an SQL identifier must not be empty");
  if (name.includes("\0")) throw new ProviderError("an SQL identifier must not contain NUL");
  return escapeIdentifier(name);
}

export interface PermissionPlan {
  /** The credential's role (its name on classic tiers). */
  role: string;
  /** The default credential's role: it creates the tables, so default privileges are set for it. */
  owner: string;
  level: PermissionLevel;
  schemas: readonly string[];
  /** Schemas the credential had before: those no longer listed are revoked and not granted again. */
  previousSchemas?: readonly string[];
}

/** Statements that remove every privilege the levels grant on one schema (CONNECT stays: it is on the database). */
export function revokeStatements(role: string, owner: string, schema: string): string[] {
  const r = quoteIdent(role);
  const s = quoteIdent(schema);
  const defaults = `ALTER DEFAULT PRIVILEGES FOR ROLE ${quoteIdent(owner)} IN SCHEMA ${s}`;
  return [
    `REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA ${s} FROM ${r}`,
    `REVOKE ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA ${s} FROM ${r}`,
    `${defaults} REVOKE ALL PRIVILEGES ON TABLES FROM ${r}`,
    `${defaults} REVOKE ALL PRIVILEGES ON SEQUENCES FROM ${r}`,
    `REVOKE ALL PRIVILEGES ON SCHEMA ${s} FROM ${r}`,
  ];
}

/** Statements that give one level on one schema; nothing for `none`. */
export function grantStatements(role: string, owner: string, schema: string, level: PermissionLevel): string[] {
  const wanted = LEVEL_PRIVILEGES[level];
  if (wanted.tables.length === 0) return [];
  const r = quoteIdent(role);
  const s = quoteIdent(schema);
  const defaults = `ALTER DEFAULT PRIVILEGES FOR ROLE ${quoteIdent(owner)} IN SCHEMA ${s}`;
  const statements = [
    `GRANT ${wanted.schema.join(", ")} ON SCHEMA ${s} TO ${r}`,
    `GRANT ${wanted.tables.join(", ")} ON ALL TABLES IN SCHEMA ${s} TO ${r}`,
  ];
  if (wanted.sequences.length > 0)
    statements.push(`GRANT ${wanted.sequences.join(", ")} ON ALL SEQUENCES IN SCHEMA ${s} TO ${r}`);
  statements.push(`${defaults} GRANT ${wanted.tables.join(", ")} ON TABLES TO ${r}`);
  if (wanted.sequences.length > 0)
    statements.push(`${defaults} GRANT ${wanted.sequences.join(", ")} ON SEQUENCES TO ${r}`);
  return statements;
}

/**
 * Every statement `create`/`update` runs, in order: for each dropped schema a revoke; for each listed schema a
 * revoke then the level's grants. Meant for one transaction, so a failure leaves the old grants in place.
 */
export function planPermissionStatements(plan: PermissionPlan): string[] {
  const listed = new Set(plan.schemas);
  const dropped = (plan.previousSchemas ?? []).filter((schema) => !listed.has(schema));
  return [
    ...dropped.flatMap((schema) => revokeStatements(plan.role, plan.owner, schema)),
    ...[...listed].flatMap((schema) => [
      ...revokeStatements(plan.role, plan.owner, schema),
      ...grantStatements(plan.role, plan.owner, schema, plan.level),
    ]),
  ];
}

/**
 * What `read` observes for the credential's role, as rows. Privileges are those granted to the role itself
 * (not through PUBLIC), upper-case as PostgreSQL names them:
 * - schemaPrivileges: aclexplode(pg_namespace.nspacl) where grantee is the role;
 * - tables / sequences: every relation in the schemas (so one with no grant is seen);
 * - tablePrivileges: information_schema.role_table_grants where grantee is the role;
 * - sequencePrivileges: aclexplode(pg_class.relacl) of sequences where grantee is the role;
 * - defaultPrivileges: aclexplode(pg_default_acl.defaclacl) for the owner's entries, objectType from
 *   defaclobjtype through DEFAULT_ACL_OBJECT_TYPES.
 */
/** pg_default_acl.defaclobjtype codes for the two object types the levels set default privileges on. */
export const DEFAULT_ACL_OBJECT_TYPES: Readonly<Record<string, "tables" | "sequences">> = {
  r: "tables",
  S: "sequences",
};

export interface GrantFacts {
  schemaPrivileges: ReadonlyArray<{ schema: string; privilege: string }>;
  tables: ReadonlyArray<{ schema: string; name: string }>;
  tablePrivileges: ReadonlyArray<{ schema: string; name: string; privilege: string }>;
  sequences: ReadonlyArray<{ schema: string; name: string }>;
  sequencePrivileges: ReadonlyArray<{ schema: string; name: string; privilege: string }>;
  defaultPrivileges: ReadonlyArray<{ schema: string; objectType: "tables" | "sequences"; privilege: string }>;
}

/**
 * The level each schema is at: the one whose privileges match exactly on the schema, on every table and
 * sequence, and in the default privileges; `custom` when none does (an out-of-band GRANT, a table another
 * role created, a TRUNCATE ...). Drives `read`, so `refresh` shows grant drift.
 */
export function derivePermissionLevels(facts: GrantFacts, schemas: readonly string[]): Record<string, EffectiveLevel> {
  const result: Record<string, EffectiveLevel> = {};
  for (const schema of schemas) {
    const observed = observeSchema(facts, schema);
    const match = (Object.keys(LEVEL_PRIVILEGES) as PermissionLevel[]).find((level) => matchesLevel(observed, level));
    result[schema] = match ?? "custom";
  }
  return result;
}

/** One level for the whole credential: the schemas' common level, or `custom` when they differ. */
export function overallLevel(levels: Record<string, EffectiveLevel>): EffectiveLevel {
  const distinct = new Set(Object.values(levels));
  const [only] = distinct;
  return distinct.size === 1 && only !== undefined ? only : "custom";
}

interface ObservedSchema {
  schema: Set<string>;
  tables: Set<string>[];
  sequences: Set<string>[];
  defaultTables: Set<string>;
  defaultSequences: Set<string>;
}

function observeSchema(facts: GrantFacts, schema: string): ObservedSchema {
  const privilegesOf = (rows: GrantFacts["tablePrivileges"], name: string): Set<string> =>
    new Set(rows.filter((row) => row.schema === schema && row.name === name).map((row) => row.privilege.toUpperCase()));
  const defaults = (objectType: "tables" | "sequences"): Set<string> =>
    new Set(
      facts.defaultPrivileges
        .filter((row) => row.schema === schema && row.objectType === objectType)
        .map((row) => row.privilege.toUpperCase()),
    );
  return {
    schema: new Set(
      facts.schemaPrivileges.filter((row) => row.schema === schema).map((row) => row.privilege.toUpperCase()),
    ),
    tables: facts.tables.filter((t) => t.schema === schema).map((t) => privilegesOf(facts.tablePrivileges, t.name)),
    sequences: facts.sequences
      .filter((q) => q.schema === schema)
      .map((q) => privilegesOf(facts.sequencePrivileges, q.name)),
    defaultTables: defaults("tables"),
    defaultSequences: defaults("sequences"),
  };
}

function matchesLevel(observed: ObservedSchema, level: PermissionLevel): boolean {
  const wanted = LEVEL_PRIVILEGES[level];
  return (
    sameSet(observed.schema, wanted.schema) &&
    observed.tables.every((privileges) => sameSet(privileges, wanted.tables)) &&
    observed.sequences.every((privileges) => sameSet(privileges, wanted.sequences)) &&
    sameSet(observed.defaultTables, wanted.tables) &&
    sameSet(observed.defaultSequences, wanted.sequences)
  );
}

function sameSet(actual: Set<string>, expected: readonly string[]): boolean {
  return actual.size === expected.length && expected.every((item) => actual.has(item));
}
