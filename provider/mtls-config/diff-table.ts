import { sameDatabase } from "../shared/database-ref";
import { type DiffOptions, type DiffTable, diffFromTable, type TableDiff } from "../shared/diff-table";
import { containsUnknown } from "../shared/unknown";
import type { MtlsConfigOutputs } from "./types";

/**
 * Every MtlsConfig field, once (docs/ARCHITECTURE.md, "The resources"). mTLS belongs to one database, so a new
 * database replaces; client certificates are created and revoked one by one (docs/heroku-api.md 1.2), so the set of
 * names updates in place. adoptExisting and timeouts only steer the provider.
 */
export const MTLS_CONFIG_DIFF_TABLE: DiffTable<keyof MtlsConfigOutputs> = {
  resumeKey: "stored",
  databaseAddonId: "stored",
  databaseAddonName: "stored",
  database: "replace",
  certificateNames: "update",
  // Only create reads it: once adopted, keeping, changing or removing it changes nothing.
  adoptExisting: "stored",
  // Only create waits (or not) for Operational: changing it later changes nothing.
  waitForOperational: "stored",
  timeouts: "update",
  status: "output",
  enabledBy: "output",
  certificateAuthorityChain: "output",
  certificates: "output",
};

export interface CertificateChanges {
  /** New names, in the order the inputs list them: each gets a new certificate. */
  toCreate: string[];
  /** Names no longer listed, in stored order: each certificate is revoked (DELETE, docs/heroku-api.md 1.2). */
  toRevoke: string[];
}

/** What `update` does to the certificates; duplicates in either list count once. */
export function planCertificateChanges(oldNames: readonly string[], newNames: readonly string[]): CertificateChanges {
  const before = new Set(oldNames);
  const after = new Set(newNames);
  return {
    toCreate: [...after].filter((name) => !before.has(name)),
    toRevoke: [...before].filter((name) => !after.has(name)),
  };
}

/**
 * The diff MtlsConfig's hook returns. certificateNames is a set: reordering names changes nothing on Heroku,
 * so both sides are compared sorted (an unknown list stays unknown and shows as a change).
 */
export function diffMtlsConfig(olds: Record<string, unknown>, news: Record<string, unknown>): TableDiff {
  return diffFromTable(
    MTLS_CONFIG_DIFF_TABLE,
    { ...olds, certificateNames: sortedSet(olds.certificateNames) },
    { ...news, certificateNames: sortedSet(news.certificateNames) },
    MTLS_CONFIG_DIFF_OPTIONS,
  );
}

/**
 * The same database by name or by id is no change. A database has one mTLS endpoint, so replacing it on the same
 * database must disable it first; enabling first would find the old endpoint, and the old resource's delete
 * would then disable what the new one holds.
 */
export const MTLS_CONFIG_DIFF_OPTIONS: DiffOptions = {
  sameValue: { database: sameDatabase },
  deleteBeforeReplace: (olds, news) => containsUnknown(news.database) || sameDatabase(olds, news),
};

function sortedSet(value: unknown): unknown {
  if (!Array.isArray(value) || containsUnknown(value)) return value;
  return [...new Set(value.map(String))].sort();
}
