import { type DiffOptions, type DiffTable, diffFromTable, type TableDiff } from "../shared/diff-table";
import { sameDatabase } from "../shared/database-ref";
import { containsUnknown } from "../shared/unknown";
import type { IpAllowlistEntry, IpAllowlistOutputs } from "./types";

/**
 * Every IpAllowlist field, once (docs/ARCHITECTURE.md, "The resources"). Blocks are added, removed and changed in
 * place, rule by rule, so `entries` updates; only another database replaces the allowlist. The rules themselves
 * have no update API (docs/heroku-api.md 1.3): `update` deletes a rule whose description changed and makes it
 * again, which pauses that block's access until Heroku authorizes the new rule (planEntryChanges names them).
 */
export const IP_ALLOWLIST_DIFF_TABLE: DiffTable<keyof IpAllowlistOutputs> = {
  resumeKey: "stored",
  databaseAddonId: "stored",
  databaseAddonName: "stored",
  database: "replace",
  entries: "update",
  // Read when a block is added: once its rule is held, keeping, changing or removing these changes nothing.
  adoptRuleIds: "stored",
  supersedesIpRules: "stored",
  timeouts: "update",
  rules: "output",
  mtlsStatus: "output",
};

/** What an update of the entries does at Heroku, block by block (CIDRs, sorted). */
export interface EntryChanges {
  /** New blocks: a rule is posted; access opens once it is Authorized. */
  added: string[];
  /** Blocks no longer declared: their rules are deleted; access from them ends. */
  removed: string[];
  /** Blocks whose description changed: deleted and posted again; access pauses until the new rule is Authorized. */
  redescribed: string[];
  /** Blocks whose acknowledgeWideCidr changed: nothing at Heroku. */
  acknowledged: string[];
}

export function planEntryChanges(
  olds: Readonly<Record<string, IpAllowlistEntry>>,
  news: Readonly<Record<string, IpAllowlistEntry>>,
): EntryChanges {
  const sorted = (xs: string[]): string[] => [...xs].sort();
  const kept = Object.keys(news).filter((cidr) => cidr in olds);
  return {
    added: sorted(Object.keys(news).filter((cidr) => !(cidr in olds))),
    removed: sorted(Object.keys(olds).filter((cidr) => !(cidr in news))),
    redescribed: sorted(kept.filter((cidr) => olds[cidr]!.description !== news[cidr]!.description)),
    acknowledged: sorted(
      kept.filter((cidr) => (olds[cidr]!.acknowledgeWideCidr ?? false) !== (news[cidr]!.acknowledgeWideCidr ?? false)),
    ),
  };
}

/** The keys a diff names for entry changes: `entries["<cidr>"]`, and `.description` for a rule made again. */
export function entryDiffKeys(changes: EntryChanges): string[] {
  const key = (cidr: string): string => `entries[${JSON.stringify(cidr)}]`;
  return [
    ...changes.added.map(key),
    ...changes.removed.map(key),
    ...changes.redescribed.map((cidr) => `${key(cidr)}.description`),
    ...changes.acknowledged.map((cidr) => `${key(cidr)}.acknowledgeWideCidr`),
  ];
}

/**
 * Only a move to another database replaces the allowlist, and then the new database's rules cannot collide with
 * the old ones, so the new allowlist is made first and no block pauses. A database still unknown (preview) may turn
 * out to be the same one (a respelling), so it plans the safe order, as IpRule does; `up` diffs again.
 */
export function ipAllowlistDeleteBeforeReplace(olds: Record<string, unknown>, news: Record<string, unknown>): boolean {
  return containsUnknown(news.database) || sameDatabase(olds, news);
}

export const IP_ALLOWLIST_DIFF_OPTIONS: DiffOptions = {
  deleteBeforeReplace: ipAllowlistDeleteBeforeReplace,
  sameValue: { database: sameDatabase },
};

/** The diff IpAllowlist's hook returns: the table, with `entries` spelled out block by block. */
export function diffIpAllowlist(olds: Record<string, unknown>, news: Record<string, unknown>): TableDiff {
  const diff = diffFromTable(IP_ALLOWLIST_DIFF_TABLE, olds, news, IP_ALLOWLIST_DIFF_OPTIONS);
  if (!diff.updates.includes("entries") || containsUnknown(news.entries)) return diff;
  const detailed = entryDiffKeys(
    planEntryChanges(
      (olds.entries ?? {}) as Record<string, IpAllowlistEntry>,
      news.entries as Record<string, IpAllowlistEntry>,
    ),
  );
  return { ...diff, updates: diff.updates.flatMap((field) => (field === "entries" ? detailed : [field])) };
}
