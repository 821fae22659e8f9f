import { Coalescer, SHARED_READ_FRESH_MS } from "../shared/coalesce";
import type { Attachment } from "./addons";
import { type App, getApp } from "./apps";
import { type Credential, getCredential, listAddonAttachments, listCredentials } from "./credentials";
import { type DatabaseInfo, getDatabase } from "./databases";
import { getIpRule, type IpRule, listIpRules, type MtlsEndpoint, readMtlsStatus } from "./mtls";

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

/**
 * The credential as a shared list shows it, or null when the list has none of that name: for a credential
 * that existed before this read (one a resource made), absence means gone, so nothing is read by name. A
 * credential missing from the shared list is looked for in one fresh list (shared with the others missing from
 * the same answer) before it is called gone. `after` (a `credentialReadMark` taken once this process's DELETE
 * was answered): only a list read that started after it, so the answer cannot predate that DELETE.
 */
export async function listedCredential(db: string, name: string, after?: number): Promise<Credential | null> {
  const read = (): Promise<Credential[]> => listCredentials(db);
  const first = after === undefined ? sharedCredentials(db) : credentialLists.getAfter(db, after, read);
  const hit = (await first).find((c) => c.name === name);
  if (hit || after !== undefined) return hit ?? null;
  return (await credentialLists.refresh(db, first, read)).find((c) => c.name === name) ?? null;
}

/** A point after everything this process has done so far, for `listedCredential`'s `after`. */
export function credentialReadMark(): number {
  return credentialLists.mark();
}

const addonAttachmentLists = new Coalescer<Attachment[]>(SHARED_READ_FRESH_MS);

/**
 * The add-on's attachments, possibly read a moment ago by another resource. Only where an attachment missing
 * from it is caught anyway (a credential's delete: Heroku refuses to destroy a credential still attached, and
 * the caller then reads afresh), and where one listed there but detached since costs a 404 at most.
 */
export function sharedAddonAttachments(addon: string): Promise<Attachment[]> {
  return addonAttachmentLists.get(addon, () => listAddonAttachments(addon));
}

const mtlsEndpoints = new Coalescer<MtlsEndpoint | null>(SHARED_READ_FRESH_MS);

/** The database's mTLS endpoint (null while mTLS is off), for the credentials that wait for it: only for polls. */
export function sharedMtls(db: string): Promise<MtlsEndpoint | null> {
  return mtlsEndpoints.get(db, async () => {
    const m = await readMtlsStatus(db);
    return m === "gone" ? null : m;
  });
}

/** After this process created or deleted something, the next shared read of that database starts afresh. */
export function forgetSharedReads(db: string): void {
  ipRuleLists.forget(db);
  credentialLists.forget(db);
  addonAttachmentLists.forget(db);
  mtlsEndpoints.forget(db);
}

/** Plan and follower facts change only by an operation nobody runs in the middle of a deployment. */
export const DATABASE_INFO_FRESH_MS = 60_000;
const databaseInfos = new Coalescer<DatabaseInfo>(DATABASE_INFO_FRESH_MS);

export function sharedDatabaseInfo(db: string): Promise<DatabaseInfo> {
  return databaseInfos.get(db, () => getDatabase(db));
}

/** Puts a fresh read of a database's info (made by its SecureDatabase) where the others look, under each spelling. */
export function primeDatabaseInfo(keys: readonly string[], info: DatabaseInfo): void {
  for (const key of keys) databaseInfos.prime(key, info);
}

/**
 * An app's region and space never change, and its other fields are not read from here (maintenance, which does
 * change, is read afresh by promotion): the preview-time check and the create of one run share one read.
 */
export const APP_FRESH_MS = 60_000;
const apps = new Coalescer<App>(APP_FRESH_MS);

export function sharedApp(app: string): Promise<App> {
  return apps.get(app, () => getApp(app));
}

/**
 * The default credential's URL changes only when it rotates or Enhanced Certificates changes its TLS parameters,
 * and a connection that fails drops it (credential/sql.ts withConnection), so every credential of a database
 * shares one read of it for this long.
 */
export const CONNECTION_INFO_FRESH_MS = 60_000;
const defaultUrls = new Coalescer<string>(CONNECTION_INFO_FRESH_MS);

/** The database's default credential URL (its own attachment's config var), read by `read` unless shared. */
export function sharedDefaultUrl(db: string, read: () => Promise<string>): Promise<string> {
  return defaultUrls.get(db, read);
}

/** The same URL as its SecureDatabase just read it from the app's config vars, under each spelling of the database. */
export function primeDefaultUrl(keys: readonly string[], url: string): void {
  for (const key of keys) defaultUrls.prime(key, url);
}

/** Drops a default URL that failed to connect, so the next caller reads it afresh. */
export function forgetDefaultUrl(db: string): void {
  defaultUrls.forget(db);
}
