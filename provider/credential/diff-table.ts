import { type DiffOptions, type DiffTable, diffFromTable, type TableDiff } from "../shared/diff-table";
import { isRecord } from "../shared/equality";
import { sameDatabase } from "../shared/database-ref";
import { containsUnknown } from "../shared/unknown";
import type { CredentialAttachment, CredentialOutputs } from "./types";

/**
 * Every Credential field, once (docs/ARCHITECTURE.md, "The resources"). A credential is a role named after it on
 * one database (docs/heroku-api.md 2.1 has no rename), so database and name replace; grants, attachments and
 * rotation are separate calls on the existing credential. forceRotation, adoptExisting and timeouts only steer
 * the provider.
 */
export const CREDENTIAL_DIFF_TABLE: DiffTable<keyof CredentialOutputs> = {
  resumeKey: "stored",
  databaseAddonId: "stored",
  databaseAddonName: "stored",
  database: "replace",
  name: "replace",
  permissions: "update",
  schemas: "update",
  attachments: "update",
  rotationTrigger: "update",
  forceRotation: "update",
  // Only create reads it: once adopted, keeping, changing or removing it changes nothing.
  adoptExisting: "stored",
  timeouts: "update",
  state: "output",
  username: "output",
  password: "output",
  url: "output",
  attachmentConfigVars: "output",
  effectivePermissions: "output",
};

/** Outputs that must never appear in plain text (the sdk lists them in additionalSecretOutputs). */
export const CREDENTIAL_SECRET_OUTPUTS: readonly (keyof CredentialOutputs)[] = ["password", "url"];

/**
 * The diff Credential's hook returns. Schemas and attachments are sets (order changes nothing on Heroku or in
 * PostgreSQL), so both sides are compared sorted; unknown values stay unknown and show as changes.
 */
export function diffCredential(olds: Record<string, unknown>, news: Record<string, unknown>): TableDiff {
  const normalize = (side: Record<string, unknown>): Record<string, unknown> => ({
    ...side,
    schemas: sortedStrings(side.schemas),
    attachments: sortedAttachments(side.attachments),
  });
  return diffFromTable(CREDENTIAL_DIFF_TABLE, normalize(olds), normalize(news), CREDENTIAL_DIFF_OPTIONS);
}

/**
 * A database named by its id where it was named by its name is the same database. A replacement that keeps the
 * database and the name would make the same credential again (names are unique per database), so it deletes
 * first; creating first would find the old credential and the old resource's delete would then remove it.
 */
export const CREDENTIAL_DIFF_OPTIONS: DiffOptions = {
  sameValue: { database: sameDatabase },
  deleteBeforeReplace: (olds, news) =>
    containsUnknown(news.name) ||
    containsUnknown(news.database) ||
    (olds.name === news.name && sameDatabase(olds, news)),
};

export interface AttachmentChanges {
  toAttach: CredentialAttachment[];
  toDetach: CredentialAttachment[];
}

/**
 * What `update` does to attachments. An attachment is identified by app and name; an unnamed one matches any
 * stored attachment on the same app that is not otherwise claimed, since Heroku named it (DATABASE or
 * HEROKU_POSTGRESQL_<COLOR>, Dev Center's "Heroku Postgres Credentials" (docs/heroku-api.md)).
 */
export function planAttachmentChanges(
  olds: readonly CredentialAttachment[],
  news: readonly CredentialAttachment[],
): AttachmentChanges {
  const unclaimed = [...olds];
  const take = (predicate: (old: CredentialAttachment) => boolean): boolean => {
    const index = unclaimed.findIndex(predicate);
    if (index >= 0) unclaimed.splice(index, 1);
    return index >= 0;
  };
  const named = news.filter((a) => a.name !== undefined);
  const unnamed = news.filter((a) => a.name === undefined);
  const toAttach = [
    ...named.filter((a) => !take((old) => old.app === a.app && old.name === a.name)),
    ...unnamed.filter((a) => !take((old) => old.app === a.app)),
  ];
  return { toAttach, toDetach: unclaimed };
}

function sortedStrings(value: unknown): unknown {
  if (!Array.isArray(value) || containsUnknown(value)) return value;
  return value.map(String).sort();
}

function sortedAttachments(value: unknown): unknown {
  if (!Array.isArray(value) || containsUnknown(value)) return value;
  const key = (a: unknown): string =>
    isRecord(a) ? `${String(a.app)}\u0000${a.name === undefined ? "" : String(a.name)}` : "";
  return [...value].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
