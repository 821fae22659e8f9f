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

export async function pollIpRule(db: string, id: string): Promise<IpRule> {
  return (await sharedIpRules(db)).find((r) => r.id === id) ?? getIpRule(db, id);
}

function sharedCredentials(db: string): Promise<Credential[]> {
  return credentialLists.get(db, () => listCredentials(db));
}

export async function pollCredential(db: string, name: string): Promise<Credential> {
  return (await sharedCredentials(db)).find((c) => c.name === name) ?? getCredential(db, name);
}

/** After this process created or deleted something, the next shared read of that database starts afresh. */
export function forgetSharedReads(db: string): void {
  ipRuleLists.forget(db);
  credentialLists.forget(db);
}

/** Plan and follower facts change only by an operation nobody runs in the middle of a deployment. */
const databaseInfos = new Coalescer<DatabaseInfo>(60_000);

export function sharedDatabaseInfo(db: string): Promise<DatabaseInfo> {
  return databaseInfos.get(db, () => getDatabase(db));
}
