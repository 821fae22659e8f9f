import { getAddonGlobal } from "../heroku/addons";
import { Coalescer } from "./coalesce";
import { containsUnknown } from "./unknown";

/**
 * A database may be named by its add-on name (`postgresql-sunny-1234`) or its id; Heroku's Data API takes either
 * (Heroku CLI, `pg:credentials` and `data:pg:*` commands). Both spellings mean the same object, so switching
 * between them must be no change at all: the children of a `SecureDatabase` now receive its id (known even while
 * it updates in place), where older stacks stored its name.
 */
export interface DatabaseIdentity {
  /** The add-on id. */
  databaseAddonId?: string;
  /** The add-on name. */
  databaseAddonName?: string;
}

/** An add-on's id and name change only when it is destroyed; one read per database serves a whole run. */
export const DATABASE_IDENTITY_FRESH_MS = 10 * 60_000;
const identities = new Coalescer<Required<DatabaseIdentity>>(DATABASE_IDENTITY_FRESH_MS);

/** The add-on's id and name, read once per run (read-only). */
export function resolveDatabase(database: string): Promise<Required<DatabaseIdentity>> {
  return identities.get(database, async () => {
    const addon = await getAddonGlobal(database);
    return { databaseAddonId: addon.id, databaseAddonName: addon.name };
  });
}

/** What a SecureDatabase just read of its own add-on: its children in the same run need not read it again. */
export function knownDatabase(addon: { id: string; name: string }): void {
  const identity = { databaseAddonId: addon.id, databaseAddonName: addon.name };
  identities.prime(addon.id, identity);
  identities.prime(addon.name, identity);
}

/** Every spelling this side is known by. */
function spellings(side: Record<string, unknown>): string[] {
  return [side.database, side.databaseAddonId, side.databaseAddonName].filter(
    (v): v is string => typeof v === "string" && v !== "" && !containsUnknown(v),
  );
}

/** Whether both sides name the same add-on, from what each side already knows (no call). */
export function sameDatabase(olds: Record<string, unknown>, news: Record<string, unknown>): boolean {
  if (containsUnknown(news.database)) return false;
  const known = new Set(spellings(olds));
  return spellings(news).some((s) => known.has(s));
}

/**
 * For `check`: the identity the new inputs carry, so that `diff` can tell a respelling from a move. Kept from
 * the old inputs while the spelling is unchanged (a no-change preview makes no call); read from Heroku once when
 * it changed. A failed read leaves it out: `diff` then sees a change of database, which replaces safely (delete
 * first where the object would be the same).
 */
export async function databaseIdentityFor(
  olds: Record<string, unknown> | undefined,
  news: Record<string, unknown>,
): Promise<DatabaseIdentity> {
  const database = news.database;
  if (typeof database !== "string" || database === "" || containsUnknown(database)) return {};
  // A create's olds are empty: nothing to compare with, and create reads the identity itself.
  if (!olds || typeof olds.database !== "string" || containsUnknown(olds.database)) return {};
  if (olds.database === database) return carried(olds);
  try {
    return await resolveDatabase(database);
  } catch {
    return {};
  }
}

function carried(olds: Record<string, unknown>): DatabaseIdentity {
  const out: DatabaseIdentity = {};
  if (typeof olds.databaseAddonId === "string") out.databaseAddonId = olds.databaseAddonId;
  if (typeof olds.databaseAddonName === "string") out.databaseAddonName = olds.databaseAddonName;
  return out;
}

/** The spellings under which claims about objects of this database are recorded and looked up. */
export function databaseKeys(side: Record<string, unknown>): string[] {
  return [...new Set(spellings(side))];
}
