import type { Core } from "../core";
import { databaseRegion, touchAddon } from "../domain/addons";
import { acceptsConnections, settledRead } from "../domain/availability";
import { connectionTarget, resourceUrl } from "../domain/connection";
import { behindBy, credentialSource, followersOf, formatBytes, leaderOf, unfollow } from "../domain/followers";
import { planChangeWaitMessage } from "../domain/plan-change";
import { parsePlan, planLabel } from "../domain/plans";
import { ApiError } from "../errors";
import type { Router } from "../http/router";
import type { Addon, User } from "../store/types";

/** Real Heroku answers an unknown database on the Data API with an HTML page (VCR, docs/heroku-api.md 2.3). */
export const databaseNotFound = (): ApiError => new ApiError("database_not_found", "Not Found");

/** {db} is the add-on id or name (docs/heroku-api.md section 0). Another team's database answers 403. */
export function dataAddon(core: Core, user: User, idOrName: string): Addon {
  const addon = core.store.findAddon(idOrName);
  if (!addon) throw databaseNotFound();
  core.store.assertAddonVisible(user, addon);
  return touchAddon(core, addon, databaseNotFound());
}

export function statusRow(addon: Addon): string {
  if (addon.state === "provisioning") return "Creating";
  if (addon.state === "deprovisioned") return "Unavailable: provisioning failed";
  if (addon.state === "deprovisioning") return "Deprovisioning";
  if (addon.keyUnavailable) return "Unavailable: customer encryption key is disabled";
  if (addon.planChange === "changing") return "Unavailable: changing plan";
  return "Available";
}

/** The default credential and every named one not being destroyed (`pg:info` shows the count). */
const credentialCount = (addon: Addon): number =>
  1 + (addon.credentials ?? []).filter((c) => c.state !== "revoking").length;

/** A row whose values are database URLs, which the CLI shows as the app's attachment names (`resolve_db_name`). */
const databaseRow = (name: string, urls: string[]): InfoRow => ({ name, values: urls, resolve_db_name: true });

interface InfoRow {
  name: string;
  values: string[];
  resolve_db_name?: boolean;
}

/** Rows and fields about following (docs/heroku-api.md 4.6): a follower's leader and lag, a leader's followers. */
async function followRows(core: Core, addon: Addon): Promise<{ rows: InfoRow[]; lag: number | undefined }> {
  const rows: InfoRow[] = [];
  const leader = leaderOf(core, addon);
  let lag: number | undefined;
  if (leader && addon.following) {
    lag = await behindBy(core, addon);
    rows.push(databaseRow("Following", [resourceUrl(core, leader)]));
    rows.push({ name: "Behind By", values: [lag === undefined ? "unknown" : formatBytes(lag)] });
  }
  const followers = followersOf(core, addon).filter((f) => f.state === "provisioned" || f.state === "provisioning");
  if (followers.length > 0)
    rows.push(
      databaseRow(
        "Followers",
        followers.map((f) => resourceUrl(core, f)),
      ),
    );
  const origin = addon.forkedFrom ? core.store.state.addons.find((a) => a.id === addon.forkedFrom) : undefined;
  if (origin) rows.push(databaseRow("Forked From", [resourceUrl(core, origin)]));
  return { rows, lag };
}

function forkFollowRow(addon: Addon, tier: string): string {
  if (tier === "essential") return "Unsupported";
  if (addon.following) return "Unavailable on followers";
  return addon.forkFollow === "preparing" ? "Temporarily Unavailable" : "Available";
}

async function info(core: Core, addon: Addon): Promise<Record<string, unknown>> {
  const plan = parsePlan(addon.plan);
  const live = addon.state === "provisioned";
  const target = connectionTarget(core, addon);
  const version = core.clusters.version;
  const cluster = live ? core.clusters.find(addon.db) : undefined;
  const stats = cluster ? await cluster.databaseStats(addon.db.database) : { size: "0 bytes", connections: 0 };
  const follow = await followRows(core, addon);
  const leader = leaderOf(core, addon);
  const rows: InfoRow[] = [
    { name: "Plan", values: [planLabel(plan)] },
    { name: "Status", values: [statusRow(addon)] },
    { name: "Data Size", values: [stats.size] },
    { name: "PG Version", values: [version] },
    { name: "Connections", values: [`${stats.connections}/${plan.tier === "essential" ? 20 : 500}`] },
    { name: "Credentials", values: [String(credentialCount(credentialSource(core, addon)))] },
    { name: "Fork/Follow", values: [forkFollowRow(addon, plan.tier)] },
    { name: "Created", values: [addon.createdAt.replace("T", " ").replace("Z", " +0000")] },
    { name: "Region", values: [databaseRegion(core, core.store.appById(addon.appId)!)] },
    { name: "Data Encryption", values: ["In Use"] },
    ...follow.rows,
  ];
  if (addon.encryptionKey) rows.push({ name: "Customer Encryption Key", values: [addon.encryptionKey] });
  if (plan.tier === "premium" || plan.tier === "private" || plan.tier === "shield") {
    rows.push({
      name: "HA Status",
      values: [live && acceptsConnections(addon) ? "Available" : "Temporarily Unavailable"],
    });
  }
  rows.push({ name: "Enhanced Certificates", values: [addon.enhancedCertificates] });
  return {
    addon_id: addon.id,
    name: addon.name,
    plan: { name: plan.name.replace(/^heroku-postgresql:/, ""), tier: plan.tier },
    postgres_version: version.split(/[. ]/)[0],
    // The database's front door, as in its URLs (emulator/domain/connection.ts).
    port: target.port,
    resource_url: resourceUrl(core, addon),
    // The leader's resource_url, as `pg:unfollow` reads it (heroku `commands/pg/unfollow.js`, databaseNameFromUrl).
    following: leader && addon.following ? resourceUrl(core, leader) : null,
    forked_from: follow.rows.find((r) => r.name === "Forked From")?.values[0] ?? null,
    // `pg:promote` names the leader of a database still following with this (heroku `commands/pg/promote.js`).
    leader: leader && addon.following ? leader.name : null,
    "hot_standby?": false,
    "waiting?": addon.state === "provisioning" || addon.planChange !== undefined || (follow.lag ?? 0) > 0,
    available_for_ingress: live && acceptsConnections(addon),
    credentials: credentialCount(credentialSource(core, addon)),
    created_at: addon.createdAt,
    info: rows,
  };
}

/** The answer to wait_status (read through settledRead, so it matches what the database does). */
async function waitStatus(core: Core, addon: Addon): Promise<{ status: number; json: unknown }> {
  if (addon.state === "deprovisioned") {
    return {
      status: 200,
      json: { "waiting?": false, "error?": true, message: addon.provisionMessage ?? "Provisioning failed." },
    };
  }
  const waiting = addon.state === "provisioning" || addon.pending.some((p) => p.machine === "enhanced-certificates");
  if (waiting) return { status: 200, json: { "waiting?": true, "error?": false, message: "Waiting to provision..." } };
  const planMessage = planChangeWaitMessage(addon);
  if (planMessage) return { status: 200, json: { "waiting?": true, "error?": false, message: planMessage } };
  if (addon.following) {
    // Caught up means every transaction the leader committed before this read is on the follower.
    const lag = await behindBy(core, addon);
    if (lag !== 0) {
      const leader = leaderOf(core, addon);
      const behind = lag === undefined ? "starting to stream" : `${formatBytes(lag)} behind`;
      return {
        status: 200,
        json: { "waiting?": true, "error?": false, message: `Following ${leader?.name ?? "its leader"}: ${behind}` },
      };
    }
  }
  return { status: 200, json: { "waiting?": false, "error?": false, message: statusRow(addon) } };
}

export function dataDatabaseRoutes(r: Router): void {
  r.add("GET", "/client/v11/databases/:db", "data", async ({ core, user, params }) => {
    const addon = dataAddon(core, user, params.db!);
    return { status: 200, json: await settledRead(core, () => info(core, addon)) };
  });
  r.add("GET", "/client/v11/databases/:db/wait_status", "data", async ({ core, user, params }) => {
    const addon = dataAddon(core, user, params.db!);
    return settledRead(core, () => waitStatus(core, addon));
  });
  // `heroku pg:unfollow` (docs/heroku-api.md 4.5): the follower stops streaming and takes writes.
  r.add("PUT", "/client/v11/databases/:db/unfollow", "data", async ({ core, user, params }) => {
    const addon = dataAddon(core, user, params.db!);
    await unfollow(core, addon);
    return { status: 200, json: { message: `${addon.name} is no longer following and is now writable.` } };
  });
  // The CLI asks for a bastion before `pg:psql` on a private (not shield) plan (@heroku/heroku-cli-util
  // `bastion.js`) and tunnels through it only when both fields are set; the emulator's databases need none.
  r.add("GET", "/client/v11/databases/:db/bastion", "data", ({ core, user, params }) => {
    dataAddon(core, user, params.db!);
    return { status: 200, json: { host: null, private_key: null } };
  });
}
