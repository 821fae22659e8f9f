import type { DiffTable } from "../shared/diff-table";
import type { SecureDatabaseOutputs } from "./types";

/**
 * Every SecureDatabase field, once (docs/ARCHITECTURE.md, "The resources"). Heroku has no API to change an add-on's
 * encryption key, major version or name in place (a plan change would be a different, downtime-bearing
 * operation), so those replace; Enhanced Certificates has enable/disable endpoints (docs/heroku-api.md section 3.1).
 * `encryptionKeyArn` is stored as the "Customer Encryption Key" info row reports it, so refresh shows drift.
 */
export const SECURE_DATABASE_DIFF_TABLE: DiffTable<keyof SecureDatabaseOutputs> = {
  resumeKey: "stored",
  app: "replace",
  plan: "replace",
  encryptionKeyArn: "replace",
  // Only check reads it (the ARN, once known, is what replaces).
  encryptionKeyRegion: "stored",
  postgresVersion: "replace",
  name: "replace",
  attachmentName: "replace",
  // Only create reads it: once adopted, keeping, changing or removing it changes nothing.
  adoptAddonId: "stored",
  enhancedCertificates: "update",
  timeouts: "update",
  addonId: "output",
  addonName: "output",
  state: "output",
  region: "output",
  connectionUrl: "output",
  enhancedCertificatesStatus: "output",
  configVarName: "output",
  // Not an input, but compared like one: it is absent while the database is up, so a database that went down
  // shows as drift on refresh and preview, and update (which re-reads it) stores it again once Heroku restarts it.
  availability: "update",
};

/**
 * Add-on names are globally unique and attachment names unique per app (docs/heroku-api.md section 5), so a
 * replacement that keeps a fixed name or attachment on the same app must delete the old one first.
 */
export function mustDeleteBeforeReplace(olds: Record<string, unknown>, news: Record<string, unknown>): boolean {
  const sameName = news.name !== undefined && news.name === olds.name;
  const sameAttachment =
    news.attachmentName !== undefined && news.attachmentName === olds.attachmentName && news.app === olds.app;
  return sameName || sameAttachment;
}
