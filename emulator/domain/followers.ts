import type { Core } from "../core";
import { ApiError, invalid } from "../errors";
import { newDatabaseRecord } from "../pg/admin";
import type { Addon, App, DatabaseRecord } from "../store/types";
import { parsePlan, type Plan } from "./plans";

/**
 * Followers (docs/heroku-api.md section 4.5; Dev Center, "Heroku Postgres Follower Databases"): an add-on created
 * with config.follow is a real streaming copy of its leader. Its cluster is a base backup of the leader's cluster
 * running as a hot standby through a physical replication slot on the leader (emulator/pg/clusters.ts), so every
 * committed row of the leader reaches it, its roles and passwords are the leader's, and it refuses writes until
 * it is unfollowed (pg_promote), after which it is a fork of the leader.
 */

const unprocessable = (message: string): ApiError => new ApiError("unprocessable_entity", message);

/** Dev Center's BYOK article, "Limitations": followers and forks must use the same encryption key as their leader. */
export const SAME_KEY_RULE = "Followers and forks must use the same encryption key as their leader";
/** Dev Center, "Heroku Postgres Follower Databases": a follower can't itself be followed ("followers can't be chained"). */
export const NO_CHAINING_RULE = "followers can't be chained";
/** The same article: a new fork, also one made by unfollow, cannot be followed for a while. */
export const NEW_FORK_RULE = "followers can't be created for a period on newly forked databases";
/** The same article: followers are only supported on Standard, Premium, Private and Shield plans. */
export const FOLLOWER_TIERS_RULE = "Followers are only supported on Standard, Premium, Private and Shield plans";

export const isFollowing = (addon: Addon): boolean => addon.following !== undefined;

export function leaderOf(core: Core, addon: Addon): Addon | undefined {
  const id = addon.following?.leaderId;
  return id === undefined ? undefined : core.store.state.addons.find((a) => a.id === id);
}

/** The followers of a leader that still stream from it. */
export function followersOf(core: Core, leader: Addon): Addon[] {
  return core.store.state.addons.filter((a) => a.following?.leaderId === leader.id);
}

/**
 * Whose credentials a database's URLs carry: a follower's roles are its leader's (physical replication copies
 * them, and a rotation on the leader reaches the follower too), so while following it is the leader's records.
 */
export function credentialSource(core: Core, addon: Addon): Addon {
  return leaderOf(core, addon) ?? addon;
}

/**
 * The leader config.follow names (docs/heroku-api.md 4.1, 4.5): an add-on name or id of the caller's team, or an
 * attachment name on the app the follower is made for (`HEROKU_POSTGRESQL_RED`, `DATABASE`, with or without _URL).
 */
function resolveLeader(core: Core, app: App, identifier: string): Addon {
  const store = core.store;
  const direct = store.findAddon(identifier);
  if (direct) {
    if (store.appById(direct.appId)?.team !== app.team) {
      throw new ApiError("forbidden", `You do not have access to the add-on ${direct.name}.`);
    }
    return direct;
  }
  const name = identifier.replace(/_URL$/, "");
  const att = store.attachmentsOfApp(app.id).find((a) => a.name === name);
  const byAttachment = att && store.state.addons.find((a) => a.id === att.addonId);
  if (byAttachment) return byAttachment;
  throw invalid(
    `config.follow: couldn't find the database ${identifier} to follow; give the leader's add-on name or id, or ` +
      `the name of one of its attachments on ${app.name} (such as DATABASE or HEROKU_POSTGRESQL_RED).`,
  );
}

/**
 * The plan rules for a follower of `leader` (the same article): Standard tier and above on both sides, and a
 * Shield leader's followers are Shield databases too (Shield data stays in Shield Private Spaces).
 */
function checkPlans(leader: Addon, leaderPlan: Plan, followerPlan: Plan): void {
  if (leaderPlan.tier === "essential" || followerPlan.tier === "essential") {
    throw invalid(
      `${FOLLOWER_TIERS_RULE}; ${followerPlan.tier === "essential" ? followerPlan.name : `${leader.name} (${leaderPlan.name})`} is an Essential-tier plan.`,
    );
  }
  if (leaderPlan.tier === "shield" && followerPlan.tier !== "shield") {
    throw invalid(
      `${leader.name} is a Shield database: its followers must be on Shield plans too, not ${followerPlan.name}.`,
    );
  }
}

/** A follower changing plan in place keeps the rules it was made under (domain/plan-change.ts). */
export function checkFollowerPlan(core: Core, addon: Addon, to: Plan): void {
  const leader = leaderOf(core, addon);
  if (leader) checkPlans(leader, parsePlan(leader.plan), to);
}

/**
 * Every refusal of a follower create, before anything is made (422 at once; createAddon has checked the key's
 * own rules): an unknown or unavailable leader, a leader that is itself a follower or a fork too new to follow,
 * the plan rules, and the key rule of BYOK: a follower of an encrypted leader
 * must be created with the leader's key; a follower of an unencrypted leader may have a key of its own (that is
 * how Dev Center's BYOK article moves an existing database onto a customer key).
 */
export function checkFollow(
  core: Core,
  app: App,
  plan: Plan,
  encryptionKey: string | undefined,
  identifier: string,
): Addon {
  const leader = resolveLeader(core, app, identifier);
  if (leader.state !== "provisioned") {
    throw unprocessable(`${leader.name} is ${leader.state}: a follower can be made once it is provisioned.`);
  }
  if (leader.following) {
    throw unprocessable(`${leader.name} is itself a follower, and ${NO_CHAINING_RULE}: follow its leader instead.`);
  }
  if (leader.forkFollow === "preparing") {
    throw unprocessable(
      `${leader.name} was forked from its leader moments ago, and ${NEW_FORK_RULE}; try again later.`,
    );
  }
  if (leader.keyUnavailable) {
    throw unprocessable(`${leader.name} is unavailable (its customer encryption key is disabled).`);
  }
  checkPlans(leader, parsePlan(leader.plan), plan);
  if (leader.encryptionKey && encryptionKey !== leader.encryptionKey) {
    throw invalid(
      `${SAME_KEY_RULE}: ${leader.name} is encrypted with ${leader.encryptionKey}, so its follower must be created ` +
        `with config["encryption-key"] = that ARN${encryptionKey ? `, not ${encryptionKey}` : ""}.`,
    );
  }
  return leader;
}

/** A follower's database record: the leader's database, user and password (a physical copy), its own cluster. */
export function followerDatabase(leader: Addon): DatabaseRecord {
  return { ...leader.db, cluster: newDatabaseRecord().database };
}

/** Replication slot names: lower case letters, digits and underscores. */
export const slotName = (followerCluster: string): string => `follower_${followerCluster}`;

/**
 * PUT /client/v11/databases/{id}/unfollow (`heroku pg:unfollow`): the follower leaves recovery (pg_promote) and takes
 * writes; the leader drops its slot. The follower becomes a fork of the leader: its roles are what they were at
 * that moment, so its records of the default and named credentials are taken from the leader now.
 */
export async function unfollow(core: Core, addon: Addon): Promise<void> {
  // A repeated call (a client retrying one whose answer it lost) waits for the first, then finds no follower.
  const previous = unfollowing.get(addon);
  if (previous) await previous.catch(() => undefined);
  const run = unfollowNow(core, addon);
  unfollowing.set(addon, run);
  try {
    await run;
  } finally {
    if (unfollowing.get(addon) === run) unfollowing.delete(addon);
  }
}

const unfollowing = new WeakMap<Addon, Promise<void>>();

async function unfollowNow(core: Core, addon: Addon): Promise<void> {
  const leader = leaderOf(core, addon);
  const follow = addon.following;
  if (!follow) throw unprocessable(`${addon.name} is not a follower.`);
  if (addon.state !== "provisioned")
    throw unprocessable(`${addon.name} is ${addon.state}: it can be unfollowed once provisioned.`);
  await core.clusters.promote(addon.db);
  if (leader) {
    addon.db = { ...leader.db, cluster: addon.db.cluster };
    addon.credentials = structuredClone(leader.credentials ?? []);
    addon.forkedFrom = leader.id;
  }
  delete addon.following;
  addon.forkFollow = "preparing";
  core.store.machines.begin(addon, "fork-follow", "forkFollow", "available");
  addon.updatedAt = core.store.nowIso();
  core.store.save();
  if (leader) await core.track(core.clusters.dropSlot(leader.db, follow.slot)).catch(() => undefined);
}

/** How far a follower is behind, in bytes of its leader's WAL not replayed yet; undefined when it cannot be told. */
export async function behindBy(core: Core, addon: Addon): Promise<number | undefined> {
  const leader = leaderOf(core, addon);
  if (!leader || addon.state !== "provisioned") return undefined;
  if (!core.clusters.find(addon.db) || !core.clusters.find(leader.db)) return undefined;
  return core.clusters.replayLag(addon.db, leader.db).catch(() => undefined);
}

/** "12 kB", as pg:info shows sizes (pg_size_pretty's units). */
export function formatBytes(bytes: number): string {
  if (bytes < 10 * 1024) return `${bytes} bytes`;
  const units = ["kB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 10 * 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Math.round(value)} ${units[unit]}`;
}
