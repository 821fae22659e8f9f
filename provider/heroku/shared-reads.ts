import { Coalescer, SHARED_READ_FRESH_MS } from "../shared/coalesce";
import { type Credential, getCredential, listCredentials } from "./credentials";
import { type DatabaseInfo, getDatabase } from "./databases";
import { getIpRule, type IpRule, listIpRules } from "./mtls";

/**
 * Status reads shared by the resources of one deployment (see shared/coalesce.ts). Each poll takes the object
 * from a list read at most SHARED_READ_FRESH_MS ago, and reads it alone only when the list does not have it.
 */
const ipRuleLists = new Coalescer<IpRule[]>(SHARED_READ_FRESH_MS);
const credentialLists = new Coalescer<Credential[]>(SHARED_READ_FRESH_MS);

/** The database's rules, possibly read a moment ago by another resource: only for status polls. */
function sharedIpRules(db: string): Promise<IpRule[]> {
  return ipRuleLists.get(db, () => listIpRules(db));
}

/**
 * A rule missing from the shared list was created after that list was read: one fresh list (shared with the
 * others created meanwhile) finds it; only if it is still missing is the rule read by itself.
 */
export async function pollIpRule(db: string, id: string): Promise<IpRule> {
  const first = sharedIpRules(db);
  const hit = (await first).find((r) => r.id === id);
  if (hit) return hit;
  const fresh = await ipRuleLists.refresh(db, first, () => listIpRules(db));
  return fresh.find((r) => r.id === id) ?? getIpRule(db, id);
}

function sharedCredentials(db: string): Promise<Credential[]> {
  return credentialLists.get(db, () => listCredentials(db));
}

export async function pollCredential(db: string, name: string): Promise<Credential> {
  const first = sharedCredentials(db);
  const hit = (await first).find((c) => c.name === name);
  if (hit) return hit;
  const fresh = await credentialLists.refresh(db, first, () => listCredentials(db));
  return fresh.find((c) => c.name === name) ?? getCredential(db, name);
}

/** After this process created or deleted something, the next shared read of that database starts afresh. */
export function forgetSharedReads(db: string): void {
  ipRuleLists.forget(db);
  credentialLists.forget(db);
}

/** Plan and follower facts change only by an operation nobody runs in the middle of a deployment. */
export const DATABASE_INFO_FRESH_MS = 60_000;
const databaseInfos = new Coalescer<DatabaseInfo>(DATABASE_INFO_FRESH_MS);

export function sharedDatabaseInfo(db: string): Promise<DatabaseInfo> {
  return databaseInfos.get(db, () => getDatabase(db));
}
