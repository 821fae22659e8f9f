import { Coalescer, SHARED_READ_FRESH_MS } from "../shared/coalesce";
import { type Credential, getCredential, listCredentials } from "./credentials";
import { type DatabaseInfo, getDatabase } from "./databases";
import { nullOnNotFound } from "./errors";
import { getIpRule, getMtls, type IpRule, listIpRules, type MtlsEndpoint } from "./mtls";

/**
 * Status reads shared by the resources of one deployment (see shared/coalesce.ts). Each poll takes the object
 * from a list read at most SHARED_READ_FRESH_MS ago, and reads it alone only when the list does not have it.
 */
const ipRuleLists = new Coalescer<IpRule[]>(SHARED_READ_FRESH_MS);
const credentialLists = new Coalescer<Credential[]>(SHARED_READ_FRESH_MS);

/** The database's rules, possibly read a moment ago by another resource: only for status polls. */
export function sharedIpRules(db: string): Promise<IpRule[]> {
  return ipRuleLists.get(db, () => listIpRules(db));
}

/**
 * The rules with these ids, from one shared list read: a rule missing from it was created after that list was
 * read, so one fresh list (shared with the others created meanwhile) finds it; only a rule still missing is read
 * by itself (a 404 then says it is gone). An allowlist waiting for 60 rules costs one read per poll round.
 */
export async function pollIpRules(db: string, ids: readonly string[]): Promise<IpRule[]> {
  const first = sharedIpRules(db);
  let list = await first;
  if (ids.some((id) => !list.some((r) => r.id === id))) {
    list = await ipRuleLists.refresh(db, first, () => listIpRules(db));
  }
  return Promise.all(ids.map((id) => list.find((r) => r.id === id) ?? getIpRule(db, id)));
}

export async function pollIpRule(db: string, id: string): Promise<IpRule> {
  const [rule] = await pollIpRules(db, [id]);
  return rule!;
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

const mtlsEndpoints = new Coalescer<MtlsEndpoint | null>(SHARED_READ_FRESH_MS);

/** The database's mTLS endpoint (null while mTLS is off), for the credentials that wait for it: only for polls. */
export function sharedMtls(db: string): Promise<MtlsEndpoint | null> {
  return mtlsEndpoints.get(db, () => getMtls(db).catch(nullOnNotFound));
}

/** After this process created or deleted something, the next shared read of that database starts afresh. */
export function forgetSharedReads(db: string): void {
  ipRuleLists.forget(db);
  credentialLists.forget(db);
  mtlsEndpoints.forget(db);
}

/** Plan and follower facts change only by an operation nobody runs in the middle of a deployment. */
export const DATABASE_INFO_FRESH_MS = 60_000;
const databaseInfos = new Coalescer<DatabaseInfo>(DATABASE_INFO_FRESH_MS);

export function sharedDatabaseInfo(db: string): Promise<DatabaseInfo> {
  return databaseInfos.get(db, () => getDatabase(db));
}
