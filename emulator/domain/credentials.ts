import * as crypto from "node:crypto";
import type { Core } from "../core";
import { ApiError } from "../errors";
import { type PgAdmin, randomFrom } from "../pg/admin";
import type { Addon } from "../store/types";
import type { CredentialRecord, CredentialUser } from "./credential-types";
import {
  beginRotation,
  countSessions,
  createCredentialRole,
  dropCredentialRole,
  finishRotation,
  repairDefault,
  serverNow,
  setPassword,
  terminateSessions,
} from "./credentials-pg";
import { credentialSource } from "./followers";
import { parsePlan, stableId } from "./plans";

/** Dev Center's "Heroku Postgres Credentials" (docs/heroku-api.md), "Limits": 60 credentials per database. The default credential counts (the list returns it too). */
export const MAX_CREDENTIALS = 60;
/** Dev Center's "Heroku Postgres Credentials" (docs/heroku-api.md), "Caveats": letters, digits, "-" and "_", at most 50 (HX: ^[a-zA-Z0-9_-]{1,50}$). */
export const CREDENTIAL_NAME = /^[A-Za-z0-9_-]{1,50}$/;
export const DEFAULT_CREDENTIAL = "default";
export const ROTATING_SUFFIX = "-rotating";
/** Dev Center's "Heroku Postgres Credentials" (docs/heroku-api.md): Heroku waits about 30 minutes for old connections before killing them. */
export const DEFAULT_ROTATION_GRACE_SECONDS = 30 * 60;
export const FOLLOWER_MESSAGE = "This operation is not supported for follower databases.";
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const NAMESPACE_PREFIX = "credential:";

/** Test knobs (PUT /__emulator/credentials); in memory, reset restores them. */
export interface CredentialOptions {
  rotationGraceSeconds: number;
}

const runtimes = new WeakMap<Core, { options: CredentialOptions; queue: Promise<unknown> }>();

function runtime(core: Core): { options: CredentialOptions; queue: Promise<unknown> } {
  let r = runtimes.get(core);
  if (!r) {
    r = { options: { rotationGraceSeconds: DEFAULT_ROTATION_GRACE_SECONDS }, queue: Promise.resolve() };
    runtimes.set(core, r);
  }
  return r;
}

export function credentialOptions(core: Core): CredentialOptions {
  return runtime(core).options;
}

/** Role changes run one at a time, so a request and the background rotation check never interleave their SQL. */
export function serialized<T>(core: Core, body: () => Promise<T>): Promise<T> {
  const r = runtime(core);
  const run = r.queue.then(body);
  r.queue = run.catch(() => undefined);
  return core.track(run);
}

export const newPassword = (): string => randomFrom(ALNUM, 65);

export function credentialsOf(addon: Addon): CredentialRecord[] {
  addon.credentials ??= [];
  return addon.credentials;
}

export const credentialNotFound = (): ApiError => new ApiError("not_found", "Credential not found.");

export function findCredential(addon: Addon, name: string): CredentialRecord | undefined {
  return credentialsOf(addon).find((c) => c.name === name);
}

/** The user and password an attachment's config var carries; undefined for an unknown or revoking credential. */
export function credentialLogin(
  addon: Addon,
  namespace: string | null,
): { user: string; password: string } | undefined {
  if (namespace === null || namespace === `${NAMESPACE_PREFIX}${DEFAULT_CREDENTIAL}`) return addon.db;
  if (!namespace.startsWith(NAMESPACE_PREFIX)) return undefined;
  const record = findCredential(addon, namespace.slice(NAMESPACE_PREFIX.length));
  if (!record || record.state === "revoking") return undefined;
  return record.users.find((u) => u.state === "active") ?? record.users[0];
}

/** A database that streams from a leader (domain/followers.ts); once unfollowed it is a fork and manages its own. */
export const isFollower = (addon: Addon): boolean => addon.following !== undefined;

const unprocessable = (message: string): ApiError => new ApiError("unprocessable_entity", message);

const alreadyExists = (addon: Addon, name: string): ApiError =>
  unprocessable(
    `${name} on ${addon.name} already exists.\nCredential names must be unique within the database. Please choose a different name.`,
  );

/** Refusals shared by create, destroy and rotate. */
function assertManageable(addon: Addon, essentialMessage: string): void {
  if (addon.state !== "provisioned") throw unprocessable(`${addon.name} is not available yet (state ${addon.state}).`);
  if (isFollower(addon)) throw unprocessable(FOLLOWER_MESSAGE);
  if (parsePlan(addon.plan).tier === "essential") throw unprocessable(essentialMessage);
}

export async function createCredential(
  core: Core,
  addon: Addon,
  body: Record<string, unknown>,
): Promise<CredentialRecord> {
  assertManageable(addon, "You can't create a custom credential on Essential-tier databases.");
  const name = body.name;
  if (typeof name !== "string" || !CREDENTIAL_NAME.test(name)) {
    throw new ApiError(
      "invalid_params",
      'Name must be 1 to 50 letters, digits, "-" or "_" ("Credential names are restricted to alphanumeric characters").',
    );
  }
  if (name === DEFAULT_CREDENTIAL || findCredential(addon, name)) throw alreadyExists(addon, name);
  if (name.endsWith(ROTATING_SUFFIX)) {
    throw new ApiError(
      "invalid_params",
      `Name must not end in "${ROTATING_SUFFIX}": that suffix is reserved for users of credentials being rotated.`,
    );
  }
  if (1 + credentialsOf(addon).length >= MAX_CREDENTIALS) {
    throw unprocessable(
      `${addon.name} already has ${MAX_CREDENTIALS} credentials (the default included); the limit is ${MAX_CREDENTIALS}.`,
    );
  }
  return serialized(core, async () => {
    // Only this database's own roles count (each database has its own cluster): the default credential's user and
    // the cluster's superuser are names a credential cannot take.
    const admin = core.clusters.of(addon.db);
    if (await admin.roleExists(name)) throw alreadyExists(addon, name);
    const password = newPassword();
    await createCredentialRole(admin, addon.db.database, name, password);
    const record: CredentialRecord = {
      uuid: crypto.randomUUID(),
      name,
      state: "provisioning",
      users: [{ user: name, password, state: "enabling" }],
      createdAt: core.store.nowIso(),
      pending: [],
    };
    core.store.machines.begin(record, "credential", "state", "active");
    credentialsOf(addon).push(record);
    core.store.save();
    return record;
  });
}

/** Applies due credential transitions; returns the records that are gone (revoking -> gone). */
export function settleCredential(core: Core, addon: Addon, record: CredentialRecord, observe: boolean): void {
  const fired = observe ? core.store.machines.observe(record) : core.store.machines.settle(record);
  if (fired.length === 0) return;
  if (fired.some((f) => f.to === "gone")) {
    addon.credentials = credentialsOf(addon).filter((c) => c !== record);
  } else if (record.state === "active") {
    for (const u of record.users) if (u.state === "enabling") u.state = "active";
  }
  core.store.save();
}

export function settleCredentials(core: Core, addon: Addon): void {
  for (const record of [...credentialsOf(addon)]) settleCredential(core, addon, record, false);
}

export function attachedApps(core: Core, addon: Addon, name: string): string[] {
  return core.store
    .attachmentsOfAddon(addon.id)
    .filter((a) => a.namespace === `${NAMESPACE_PREFIX}${name}`)
    .map((a) => core.store.appById(a.appId)?.name ?? a.appId);
}

export async function destroyCredential(core: Core, addon: Addon, name: string): Promise<CredentialRecord> {
  if (name === DEFAULT_CREDENTIAL) {
    if (parsePlan(addon.plan).tier === "essential") {
      throw unprocessable("You can't destroy the default credential on Essential-tier databases.");
    }
    throw unprocessable("Default credential cannot be destroyed.");
  }
  assertManageable(addon, "You can't perform this operation on Essential-tier databases.");
  const record = findCredential(addon, name);
  if (!record) throw credentialNotFound();
  const apps = attachedApps(core, addon, name);
  if (apps.length > 0) {
    throw unprocessable(`Credential ${name} must be detached from the app(s) ${apps.join(", ")} before destroying.`);
  }
  if (record.state === "revoking") return record;
  return serialized(core, async () => {
    if (record.rotation) await completeRotation(core, addon, record);
    await dropCredentialRole(core.clusters.of(addon.db), addon.db.database, name, addon.db.user);
    record.state = "revoking";
    for (const u of record.users) u.state = "revoking";
    core.store.machines.begin(record, "credential", "state", "gone");
    core.store.save();
    return record;
  });
}

/**
 * Rotation (Dev Center's "Heroku Postgres Credentials" (docs/heroku-api.md)): the default credential and forced rotations change the password and end the old sessions
 * at once; otherwise a temporary `<name>-rotating` user carries the new password until the old user's sessions
 * end or the grace period runs out (checkRotations), then the name comes back.
 */
export async function rotateCredential(core: Core, addon: Addon, name: string, forced: boolean): Promise<void> {
  assertManageable(addon, "You can't perform this operation on Essential-tier databases.");
  if (name === DEFAULT_CREDENTIAL) {
    await serialized(core, () => rotateDefault(core, addon));
    return;
  }
  const record = findCredential(addon, name);
  if (!record || record.state === "revoking") throw credentialNotFound();
  if (record.state === "provisioning") throw unprocessable(`Credential ${name} is still being provisioned.`);
  await serialized(core, async () => {
    if (record.rotation) {
      if (!forced) throw unprocessable(`Credential ${name} is already rotating.`);
      await completeRotation(core, addon, record);
    }
    const password = newPassword();
    const admin = core.clusters.of(addon.db);
    if (forced) {
      await setPassword(admin, name, password);
      await terminateSessions(admin, name);
      record.users = [{ user: name, password, state: "active" }];
      record.state = "active";
    } else {
      const old = record.users.find((u) => u.user === name)?.password ?? "";
      const rotating = `${name}${ROTATING_SUFFIX}`;
      const serverStartedAt = await serverNow(admin);
      await beginRotation(admin, addon.db.database, name, rotating, old, password);
      record.rotation = { startedAt: core.store.now(), serverStartedAt, oldPassword: old, newPassword: password };
      record.users = [
        { user: rotating, password, state: "active" },
        { user: name, password: old, state: "revoking" },
      ];
      record.state = "rotating";
      // The machine only sets the shortest time a rotation shows; checkRotations ends it (see below).
      core.store.machines.begin(record, "rotation", "rotationMinimum", "passed");
    }
    core.store.save();
  });
}

async function rotateDefault(core: Core, addon: Addon): Promise<void> {
  const password = newPassword();
  const admin = core.clusters.of(addon.db);
  await setPassword(admin, addon.db.user, password);
  await terminateSessions(admin, addon.db.user);
  addon.db.password = password;
  core.store.save();
}

export async function rotateAll(core: Core, addon: Addon, forced: boolean): Promise<void> {
  assertManageable(addon, "You can't perform this operation on Essential-tier databases.");
  await serialized(core, () => rotateDefault(core, addon));
  for (const record of credentialsOf(addon)) {
    if (record.state !== "active" && !(forced && record.state === "rotating")) continue;
    await rotateCredential(core, addon, record.name, forced);
  }
}

/** Old sessions: the temporary old-name role's, and the real role's that began before the rotation. */
async function oldSessions(admin: PgAdmin, record: CredentialRecord): Promise<number> {
  const rotation = record.rotation;
  if (!rotation) return 0;
  const rotating = `${record.name}${ROTATING_SUFFIX}`;
  return (
    (await countSessions(admin, record.name)) +
    (await countSessions(admin, rotating, { before: rotation.serverStartedAt }))
  );
}

async function completeRotation(core: Core, addon: Addon, record: CredentialRecord): Promise<void> {
  const rotation = record.rotation;
  if (!rotation) return;
  await finishRotation(
    core.clusters.of(addon.db),
    addon.db.database,
    record.name,
    `${record.name}${ROTATING_SUFFIX}`,
    rotation.newPassword,
    rotation.serverStartedAt,
  );
  delete record.rotation;
  delete record.rotationMinimum;
  core.store.machines.cancel(record, "rotationMinimum");
  record.users = [{ user: record.name, password: rotation.newPassword, state: "active" }];
  record.state = "active";
  core.store.save();
}

/**
 * The background check (every second): a rotation ends once its machine has fired (the shortest a rotation
 * shows as "rotating") and the old user has no sessions left, or when the grace period is over.
 */
export async function checkRotations(core: Core): Promise<void> {
  const grace = credentialOptions(core).rotationGraceSeconds * 1000;
  for (const addon of core.store.state.addons) {
    for (const record of credentialsOf(addon)) {
      const rotation = record.rotation;
      // A deleted database's rotations end with its cluster.
      if (!rotation || !core.clusters.find(addon.db)) continue;
      await serialized(core, async () => {
        if (record.rotation !== rotation) return;
        const machineDone = !record.pending.some((p) => p.machine === "rotation");
        if (!machineDone) core.store.machines.settle(record);
        const minimumPassed = !record.pending.some((p) => p.machine === "rotation");
        const graceOver = core.store.now() - rotation.startedAt >= grace;
        const admin = core.clusters.find(addon.db);
        if (!admin) return;
        if (graceOver || (minimumPassed && (await oldSessions(admin, record)) === 0)) {
          await completeRotation(core, addon, record);
        }
      });
    }
  }
}

/** Wire shape (docs/heroku-api.md 2.2), with real session counts. */
export async function credentialView(
  core: Core,
  addon: Addon,
  record: CredentialRecord | "default",
  target: { host: string; port: number },
): Promise<Record<string, unknown>> {
  const base = { database: addon.db.database, host: target.host, port: target.port };
  // A database being deleted has no cluster left: no sessions.
  const admin = core.clusters.find(addon.db);
  const sessions = (user: string, window?: { since?: string }): Promise<number> =>
    admin ? countSessions(admin, user, window) : Promise.resolve(0);
  if (record === "default") {
    // A follower's default credential is its leader's, as it is now (a rotation on the leader reaches it).
    const login = credentialSource(core, addon).db;
    return {
      uuid: stableId(`${addon.id}:default`),
      name: DEFAULT_CREDENTIAL,
      state: "active",
      ...base,
      credentials: [
        {
          user: login.user,
          password: login.password,
          state: "active",
          connections: await sessions(login.user),
        },
      ],
    };
  }
  const inner = async (u: CredentialUser): Promise<Record<string, unknown>> => {
    let connections: number | null = null;
    if (u.state === "active" || u.state === "revoking" || u.state === "enabling") {
      if (record.rotation && u.state === "revoking") connections = admin ? await oldSessions(admin, record) : 0;
      else if (record.rotation) connections = await sessions(u.user, { since: record.rotation.serverStartedAt });
      else connections = await sessions(u.user);
    }
    return { user: u.user, password: u.password, state: u.state, connections };
  };
  // Read before the session counts are awaited: a rotation that ends meanwhile must not pair the new state with
  // the old users.
  const state = record.state;
  const users = await Promise.all(record.users.map(inner));
  return { uuid: record.uuid, name: record.name, state, ...base, credentials: users };
}

/** POST .../repair-default: resets the default role's ownership and grants (not on Essential plans, only when up). */
export async function repairDefaultCredential(core: Core, addon: Addon): Promise<void> {
  if (parsePlan(addon.plan).tier === "essential") {
    throw new ApiError("unprocessable_entity", "You can't perform this operation on Essential-tier databases.");
  }
  if (addon.state !== "provisioned") {
    throw new ApiError("unprocessable_entity", `${addon.name} is not available yet (state ${addon.state}).`);
  }
  const others = credentialsOf(addon)
    .filter((c) => c.state !== "revoking")
    .map((c) => c.users.find((u) => u.state === "active")?.user ?? c.name);
  await serialized(core, () => repairDefault(core.clusters.of(addon.db), addon.db.database, addon.db.user, others));
}
