import * as crypto from "node:crypto";
import type { Core } from "../core";
import { ApiError, invalid, notFound } from "../errors";
import { checkKeyForProvisioning } from "../kms/check-key";
import { parseKeyArn } from "../kms/arn";
import { freePort } from "../net";
import { mtlsRuntime } from "../mtls/runtime";
import { newDatabaseRecord } from "../pg/admin";
import { awsRegionOf } from "../store/regions";
import type { PendingTransition } from "../machines/pending";
import type { Addon, App, Attachment } from "../store/types";
import { ADDON_NAME, ATTACHMENT_NAME, defaultAttachmentName, generateAddonName } from "./naming";
import { checkFollow, followerDatabase, followersOf, leaderOf, slotName, unfollow } from "./followers";
import { onPlanChangeFired } from "./plan-change";
import { checkPlanPlacement, isPrivateOrShield, listedPlan } from "./plans";

/** config values arrive as strings (Terraform) or booleans (the CLI's bare flags); both are stored as strings. */
function parseConfig(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) throw invalid("config must be an object.");
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== "string" && typeof v !== "boolean") throw invalid(`config["${k}"] must be a string or a boolean.`);
    out[k] = String(v);
  }
  return out;
}

export function attachmentNameTaken(core: Core, appId: string, name: string): boolean {
  return core.store.attachmentsOfApp(appId).some((a) => a.name === name);
}

function addonNameTaken(core: Core, name: string): boolean {
  return core.reservedNames.has(name) || core.store.state.addons.some((a) => a.name === name);
}

/** The AWS region the app's databases live in (its space's region, or the Common Runtime region). */
export function databaseRegion(core: Core, app: App): string {
  const space = core.store.space(app.space);
  return awsRegionOf(space ? space.region : (app.region ?? "us")) ?? "us-east-1";
}

/**
 * POST /apps/{app}/addons. Input errors answer 422 at once. The slow work (KMS check, starting the database's own
 * cluster and creating the database and its owner role) is done before answering, but its outcome only becomes visible when the addon-provision machine
 * fires, so clients see provisioning -> provisioned (or deprovisioned with provision_message) as on Heroku.
 */
export async function createAddon(core: Core, app: App, body: Record<string, unknown>): Promise<Addon> {
  const store = core.store;
  const plan = listedPlan(body.plan);
  const space = store.space(app.space);
  checkPlanPlacement(plan, space, app.name);
  const config = parseConfig(body.config);

  const encryptionKey = config["encryption-key"];
  if (encryptionKey !== undefined) {
    if (!parseKeyArn(encryptionKey)) {
      throw invalid(
        `encryption-key must be an AWS KMS key ARN like arn:aws:kms:<region>:<account id>:key/<key id>; got "${encryptionKey}".`,
      );
    }
    if (!isPrivateOrShield(plan)) {
      throw invalid(`Customer encryption keys are only available on Private and Shield plans, not ${plan.name}.`);
    }
  }
  // A follower (config.follow): every refusal is checked before anything is made (domain/followers.ts).
  const leader = config.follow !== undefined ? checkFollow(core, app, plan, encryptionKey, config.follow) : undefined;
  const enhanced = config["enhanced-certificates-beta"] === "true";
  if (enhanced && plan.tier === "essential") {
    throw invalid("Enhanced Certificates are only available on Standard, Premium, Private and Shield plans.");
  }

  let name: string;
  if (body.name !== undefined && body.name !== null) {
    if (typeof body.name !== "string" || !ADDON_NAME.test(body.name)) {
      throw invalid("Name must start with a letter and contain only lowercase letters, digits and dashes (3-60).");
    }
    if (addonNameTaken(core, body.name)) throw invalid("Name is already taken");
    name = body.name;
  } else {
    name = generateAddonName((n) => addonNameTaken(core, n));
  }

  const requested = (body.attachment as { name?: unknown } | undefined)?.name;
  if (
    requested !== undefined &&
    requested !== null &&
    (typeof requested !== "string" || !ATTACHMENT_NAME.test(requested))
  ) {
    throw invalid("attachment.name must be upper case letters, digits and underscores, starting with a letter.");
  }
  if (typeof requested === "string" && attachmentNameTaken(core, app.id, requested)) {
    throw invalid(`${requested} is already taken on ${app.name}.`);
  }

  core.reservedNames.add(name);
  try {
    const check = encryptionKey
      ? await checkKeyForProvisioning(core.kmsEndpoint, encryptionKey, databaseRegion(core, app))
      : ({ ok: true } as const);
    const db = leader ? followerDatabase(leader) : newDatabaseRecord();
    const following = leader ? { leaderId: leader.id, slot: slotName(db.cluster!) } : undefined;
    if (check.ok && leader && following) await core.clusters.createFollower(db, leader.db, following.slot);
    else if (check.ok) await core.clusters.create(db);

    const now = store.nowIso();
    const addon: Addon = {
      id: crypto.randomUUID(),
      name,
      appId: app.id,
      plan: plan.name,
      state: "provisioning",
      createdAt: now,
      updatedAt: now,
      db,
      frontDoorPort: await freePort(),
      ...(encryptionKey ? { encryptionKey } : {}),
      ...(check.ok ? {} : { provisionMessage: check.reason }),
      enhancedCertificates: enhanced ? "Enabled" : "Disabled",
      config,
      pending: [],
      ...(following && check.ok ? { following } : {}),
    };
    store.machines.begin(addon, "addon-provision", "state", check.ok ? "provisioned" : "deprovisioned");
    store.state.addons.push(addon);
    if (check.ok) {
      const firstOnApp = !store.state.addons.some((a) => a.appId === app.id && a.id !== addon.id);
      const names = new Set(store.attachmentsOfApp(app.id).map((a) => a.name));
      const attName = typeof requested === "string" ? requested : defaultAttachmentName(names, firstOnApp);
      store.state.attachments.push(newAttachment(addon.id, app.id, attName, null, now));
    }
    store.save();
    // The front door listens before the answer, so the URL works as soon as the add-on is provisioned.
    await mtlsRuntime(core).reconcile();
    return addon;
  } finally {
    core.reservedNames.delete(name);
  }
}

export function newAttachment(
  addonId: string,
  appId: string,
  name: string,
  namespace: string | null,
  now: string,
): Attachment {
  return { id: crypto.randomUUID(), name, addonId, appId, namespace, createdAt: now, updatedAt: now };
}

/**
 * DELETE: the database's cluster is stopped and removed at once (connections stop working), the add-on shows
 * "deprovisioning" until the addon-deprovision machine fires, then answers 404.
 */
export async function deleteAddon(core: Core, addon: Addon): Promise<Addon> {
  const store = core.store;
  if (addon.state === "deprovisioned") {
    // A failed create has no database; it goes away at once.
    store.removeAddon(addon);
    store.save();
    return addon;
  }
  if (addon.state !== "deprovisioning") {
    // A leader's followers are unfollowed first: they keep every row as forks (emulator/README.md, Differences).
    for (const follower of followersOf(core, addon)) await unfollow(core, follower).catch(() => undefined);
    store.machines.cancel(addon, "enhancedCertificates");
    store.machines.cancel(addon, "planChange");
    delete addon.planChange;
    addon.state = "deprovisioning";
    addon.updatedAt = store.nowIso();
    store.machines.begin(addon, "addon-deprovision", "state", "gone");
    store.save();
    // Its own cluster goes with it, and every credential's role with that; a follower's slot on its leader too.
    const leader = leaderOf(core, addon);
    await core.track(core.clusters.remove(addon.db));
    if (leader && addon.following)
      await core.track(core.clusters.dropSlot(leader.db, addon.following.slot)).catch(() => undefined);
    // The database is gone: its front door closes now rather than at the next tick.
    await mtlsRuntime(core).reconcile();
  }
  return addon;
}

/** Applies what fired on one add-on; returns false when the add-on is gone. */
function applyFired(core: Core, addon: Addon, fired: PendingTransition[]): boolean {
  if (fired.length === 0) return true;
  onPlanChangeFired(core, addon, fired);
  addon.updatedAt = core.store.nowIso();
  if (fired.some((f) => f.to === "gone")) {
    core.store.removeAddon(addon);
    core.store.save();
    return false;
  }
  core.store.save();
  return true;
}

/** A client read this add-on: count the poll, advance its machines; 404 once it is gone. */
export function touchAddon(core: Core, addon: Addon, notFoundError: ApiError = notFound("add-on")): Addon {
  if (!applyFired(core, addon, core.store.machines.observe(addon))) throw notFoundError;
  return addon;
}

/** Background tick: advance time-driven transitions of every add-on without counting polls. */
export function settleAll(core: Core): void {
  for (const addon of [...core.store.state.addons]) applyFired(core, addon, core.store.machines.settle(addon));
}
