import type { Core } from "../core";
import { databaseRegion, touchAddon } from "../domain/addons";
import { connectionTarget } from "../domain/connection";
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
  return "Available";
}

/** The default credential and every named one not being destroyed (`pg:info` shows the count). */
const credentialCount = (addon: Addon): number =>
  1 + (addon.credentials ?? []).filter((c) => c.state !== "revoking").length;

async function info(core: Core, addon: Addon): Promise<Record<string, unknown>> {
  const plan = parsePlan(addon.plan);
  const live = addon.state === "provisioned";
  const target = connectionTarget(core, addon);
  const version = core.clusters.version;
  const cluster = live ? core.clusters.find(addon.db) : undefined;
  const stats = cluster ? await cluster.databaseStats(addon.db.database) : { size: "0 bytes", connections: 0 };
  const rows: { name: string; values: string[] }[] = [
    { name: "Plan", values: [planLabel(plan)] },
    { name: "Status", values: [statusRow(addon)] },
    { name: "Data Size", values: [stats.size] },
    { name: "PG Version", values: [version] },
    { name: "Connections", values: [`${stats.connections}/${plan.tier === "essential" ? 20 : 500}`] },
    { name: "Credentials", values: [String(credentialCount(addon))] },
    { name: "Fork/Follow", values: [plan.tier === "essential" ? "Unsupported" : "Available"] },
    { name: "Created", values: [addon.createdAt.replace("T", " ").replace("Z", " +0000")] },
    { name: "Region", values: [databaseRegion(core, core.store.appById(addon.appId)!)] },
    { name: "Data Encryption", values: ["In Use"] },
  ];
  if (addon.encryptionKey) rows.push({ name: "Customer Encryption Key", values: [addon.encryptionKey] });
  if (plan.tier === "premium" || plan.tier === "private" || plan.tier === "shield") {
    rows.push({ name: "HA Status", values: [live && !addon.keyUnavailable ? "Available" : "Temporarily Unavailable"] });
  }
  rows.push({ name: "Enhanced Certificates", values: [addon.enhancedCertificates] });
  return {
    addon_id: addon.id,
    name: addon.name,
    plan: { name: plan.name.replace(/^heroku-postgresql:/, ""), tier: plan.tier },
    postgres_version: version.split(/[. ]/)[0],
    // The database's front door, as in its URLs (emulator/domain/connection.ts).
    port: target.port,
    resource_url: `postgres://${target.host}:${target.port}/${addon.db.database}`,
    // A follower names its leader (docs/heroku-api.md section 4.6); replication itself is not emulated.
    following: typeof addon.config.follow === "string" ? addon.config.follow : null,
    forked_from: null,
    leader: null,
    "hot_standby?": false,
    "waiting?": addon.state === "provisioning",
    available_for_ingress: live && !addon.keyUnavailable,
    credentials: credentialCount(addon),
    created_at: addon.createdAt,
    info: rows,
  };
}

export function dataDatabaseRoutes(r: Router): void {
  r.add("GET", "/client/v11/databases/:db", "data", async ({ core, user, params }) => ({
    status: 200,
    json: await info(core, dataAddon(core, user, params.db!)),
  }));
  r.add("GET", "/client/v11/databases/:db/wait_status", "data", ({ core, user, params }) => {
    const addon = dataAddon(core, user, params.db!);
    if (addon.state === "deprovisioned") {
      return {
        status: 200,
        json: { "waiting?": false, "error?": true, message: addon.provisionMessage ?? "Provisioning failed." },
      };
    }
    const waiting = addon.state === "provisioning" || addon.pending.some((p) => p.machine === "enhanced-certificates");
    return {
      status: 200,
      json: { "waiting?": waiting, "error?": false, message: waiting ? "Waiting to provision..." : statusRow(addon) },
    };
  });
  // The CLI asks for a bastion before `pg:psql` on a private (not shield) plan (@heroku/heroku-cli-util
  // `bastion.js`) and tunnels through it only when both fields are set; the emulator's databases need none.
  r.add("GET", "/client/v11/databases/:db/bastion", "data", ({ core, user, params }) => {
    dataAddon(core, user, params.db!);
    return { status: 200, json: { host: null, private_key: null } };
  });
}
