import { type DiffOptions, type DiffTable, diffFromTable, type TableDiff } from "../shared/diff-table";
import { sameDatabase } from "../shared/database-ref";
import { containsUnknown } from "../shared/unknown";
import type { IpRuleOutputs } from "./types";

/**
 * Every IpRule field, once (docs/ARCHITECTURE.md, "The resources"). The Data API has no update for a rule
 * (docs/heroku-api.md 1.3: POST, GET, DELETE only), so everything Heroku stores replaces. acknowledgeWideCidr and
 * timeouts only steer the provider: `update` records them without an API call.
 */
export const IP_RULE_DIFF_TABLE: DiffTable<keyof IpRuleOutputs> = {
  resumeKey: "stored",
  databaseAddonId: "stored",
  databaseAddonName: "stored",
  database: "replace",
  cidr: "replace",
  description: "replace",
  // Only create reads it: once adopted, keeping, changing or removing it changes nothing.
  adoptRuleId: "stored",
  acknowledgeWideCidr: "update",
  timeouts: "update",
  ruleId: "output",
  status: "output",
  createdAt: "output",
  updatedAt: "output",
};

/**
 * The replacement must delete first when it would allow the same CIDR on the same database again (a
 * description-only change): rules appear to be unique by CIDR (docs/heroku-api.md 1.3), so creating first would fail.
 * Access from that block pauses until the new rule is Authorized, which the docs must say. A new CIDR or a new
 * database is created first, so access never pauses. A value still unknown (preview) may turn out equal, so
 * it plans the safe order; `up` diffs again with known values.
 */
export function ipRuleDeleteBeforeReplace(olds: Record<string, unknown>, news: Record<string, unknown>): boolean {
  if (containsUnknown(news.database) || containsUnknown(news.cidr)) return true;
  return sameDatabase(olds, news) && olds.cidr === news.cidr;
}

/** A database named by its id where it was named by its name is the same database: no change. */
export const IP_RULE_DIFF_OPTIONS: DiffOptions = {
  deleteBeforeReplace: ipRuleDeleteBeforeReplace,
  sameValue: { database: sameDatabase },
};

/** The diff IpRule's hook returns: the table plus the delete-first rule above. */
export function diffIpRule(olds: Record<string, unknown>, news: Record<string, unknown>): TableDiff {
  return diffFromTable(IP_RULE_DIFF_TABLE, olds, news, IP_RULE_DIFF_OPTIONS);
}
