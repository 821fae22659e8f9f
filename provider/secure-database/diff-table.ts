import type { DiffOptions, DiffTable } from "../shared/diff-table";
import { deepEqual } from "../shared/equality";
import { containsUnknown } from "../shared/unknown";
import type { SecureDatabaseOutputs } from "./types";

/**
 * Every SecureDatabase field, once (docs/ARCHITECTURE.md, "The resources"). Heroku has no API to change an add-on's
 * encryption key, major version or name in place, so those replace; a plan changes in place with the add-on update
 * that `heroku addons:upgrade` sends (docs/heroku-api.md section 4.7; validation.ts refuses the changes Heroku cannot
 * make that way), and Enhanced Certificates has enable/disable endpoints (section 3). `encryptionKeyArn` is stored
 * as the "Customer Encryption Key" info row reports it, so refresh shows drift. A database starts following only
 * when it is made, so `follow` replaces; `promote` is the reviewed change that makes a follower the app's primary.
 */
export const SECURE_DATABASE_DIFF_TABLE: DiffTable<keyof SecureDatabaseOutputs> = {
  resumeKey: "stored",
  app: "replace",
  plan: "update",
  encryptionKeyArn: "replace",
  // Only check reads it (the ARN, once known, is what replaces).
  encryptionKeyRegion: "stored",
  postgresVersion: "replace",
  name: "replace",
  attachmentName: "replace",
  follow: "replace",
  // Only create reads it: once adopted, keeping, changing or removing it changes nothing.
  adoptAddonId: "stored",
  promote: "update",
  enhancedCertificates: "update",
  timeouts: "update",
  addonId: "output",
  addonName: "output",
  state: "output",
  region: "output",
  connectionUrl: "output",
  enhancedCertificatesStatus: "output",
  configVarName: "output",
  following: "output",
  behindBy: "output",
  promoted: "output",
  // Not an input, but compared like one: it is absent while the database is up, so a database that went down
  // shows as drift on refresh and preview, and update (which re-reads it) stores it again once Heroku restarts it.
  availability: "update",
};

/**
 * A database that followed and no longer does (promoted, or unfollowed) never follows again: its `follow` is history,
 * so removing it (as the program must once the old leader is removed) is no change; naming another leader still is.
 */
function sameFollow(olds: Record<string, unknown>, news: Record<string, unknown>): boolean {
  if (deepEqual(olds.follow, news.follow)) return true;
  return olds.follow !== undefined && olds.following === undefined && news.follow === undefined;
}

/** A promotion cannot be undone: once it finished, keeping, removing or changing `promote` changes nothing. */
function samePromote(olds: Record<string, unknown>, news: Record<string, unknown>): boolean {
  if (olds.promoted === true) return true;
  // A value still unknown in a preview shows as a change, as every other field's does.
  return !containsUnknown(news.promote) && (olds.promote === true) === (news.promote === true);
}

export const SECURE_DATABASE_SAME_VALUE: DiffOptions["sameValue"] = { follow: sameFollow, promote: samePromote };

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
