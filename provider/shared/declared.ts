import { identityOf } from "./claims";

/**
 * What the resources of this deployment declare, as their checks and diffs see it. Pulumi runs every dynamic
 * resource of a run in one provider process (see claims.ts), so the 61st IpRule or Credential of a database is
 * visible at preview even when each is a plain resource: existing objects at Heroku plus those declared here.
 * Items are kept as sets (a CIDR, a credential name), so a check that runs twice for one resource counts once.
 */
const items = new Map<string, Set<string>>();
const settings = new Map<string, unknown>();

/** The items of one kind declared on a database under any of its spellings. */
export function declaredItems(kind: string, databaseKeys: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const db of databaseKeys) for (const item of items.get(identityOf(kind, db)) ?? []) out.add(item);
  return out;
}

/** Records that a resource of this run declares `item` (a CIDR, a credential name) on the database. */
export function declareItem(kind: string, databaseKeys: readonly string[], item: string): void {
  for (const db of databaseKeys) {
    const key = identityOf(kind, db);
    const set = items.get(key) ?? new Set<string>();
    set.add(item);
    items.set(key, set);
  }
}

/** The setting SecureDatabase's diff records: whether the database will have Enhanced Certificates. */
export const ENHANCED_CERTIFICATES_SETTING = "enhanced-certificates";
/** The setting MtlsConfig's check records: an MtlsConfig of this run enables mTLS on the database. */
export const MTLS_SETTING = "mtls";

/**
 * Records a setting a resource of this run gives a database (SecureDatabase's diff records Enhanced Certificates),
 * so a dependent's check judges by what the database will be once its update ran, not by what Heroku says now.
 */
export function declareSetting(databaseKeys: readonly (string | undefined)[], setting: string, value: unknown): void {
  for (const db of databaseKeys) if (db) settings.set(identityOf(setting, db), value);
}

export function declaredSetting(databaseKeys: readonly string[], setting: string): unknown {
  for (const db of databaseKeys) {
    const key = identityOf(setting, db);
    if (settings.has(key)) return settings.get(key);
  }
  return undefined;
}

/** For tests: forget every declaration. */
export function clearDeclared(): void {
  items.clear();
  settings.clear();
}
