import { type Addon, getAddon, listAppAttachments } from "../heroku/addons";
import { getConfigVars } from "../heroku/apps";
import { behindByOf, followingOf, getDatabase, getEnhancedCertificatesStatus, infoRow } from "../heroku/databases";
import { onNotFound } from "../heroku/errors";
import { parseKeyArn } from "../kms/client";
import { availabilityOf } from "./availability";
import type { SecureDatabaseInputs, SecureDatabaseOutputs } from "./types";
import { primeDatabaseInfo, primeDefaultUrl } from "../heroku/shared-reads";
import { knownDatabase } from "../shared/database-ref";

/** The add-on, or undefined when Heroku no longer has it (404, or deprovisioned: both mean gone). */
export async function findAddon(app: string, addon: string): Promise<Addon | undefined> {
  const found = await getAddon(app, addon).catch(onNotFound(undefined));
  return found?.state === "deprovisioned" ? undefined : found;
}

/**
 * The config var holding the connection URL: `<ATTACHMENT>_URL` of the add-on's own (un-namespaced) attachment
 * on the app (docs/heroku-api.md section 4.4).
 */
export async function configVarNameOf(app: string, addon: Addon, attachmentName: string | undefined): Promise<string> {
  if (attachmentName !== undefined) return `${attachmentName}_URL`;
  const attachments = await listAppAttachments(app);
  const own = attachments.filter((a) => a.addon.id === addon.id && !a.namespace);
  // A promoted database keeps its own attachment next to DATABASE (docs/heroku-api.md section 4.5): DATABASE_URL
  // is the one the app reads.
  const chosen = own.find((a) => a.name === PRIMARY_ATTACHMENT) ?? own[0];
  if (chosen) return `${chosen.name}_URL`;
  const fromAddon = addon.config_vars?.[0];
  if (fromAddon) return fromAddon;
  return "DATABASE_URL";
}

/** The attachment an app's primary database has (docs/heroku-api.md section 4.4). */
export const PRIMARY_ATTACHMENT = "DATABASE";

/**
 * The key as Heroku reports it. A value that is not a key ARN (a key id, an alias, a masked form: the row's format
 * is not documented) tells nothing about which key it is, so it is no drift: the stored value stands. An absent
 * row means Heroku's own key.
 */
export function reportedKey(reported: string | undefined, stored: string | undefined): string | undefined {
  if (!reported) return undefined;
  return parseKeyArn(reported) ? reported : stored;
}

/** The plan as the add-on reports it; one the provider cannot read is no drift either. */
export function reportedPlan(addon: Addon, stored: string): string {
  const name = addon.plan?.name;
  return typeof name === "string" && PLAN_NAME.test(name) ? name : stored;
}

/** `heroku-postgresql:<plan>`, as add-on plans are named. */
const PLAN_NAME = /^[a-z0-9-]+:[a-z0-9-]+$/;

/** "Enabled" and "Provisioning" mean on (or turning on); anything else off. */
export function enhancedCertificatesOn(status: string): boolean {
  return status === "Enabled" || status === "Provisioning";
}

/**
 * Complete state from what Heroku reports. The add-on gives plan and name, the Data API's info rows give the
 * encryption key and Enhanced Certificates (docs/heroku-api.md section 4.6), the app's config vars the URL. Inputs
 * Heroku cannot report (timeouts, adoption) and the region (an app never moves) come from `stored`.
 */
export async function observeDatabase(
  addon: Addon,
  stored: SecureDatabaseInputs & { region: string; promoted?: boolean },
): Promise<SecureDatabaseOutputs> {
  const info = await getDatabase(addon.id);
  // The database's other resources in this run (its credentials' and mTLS's checks) take these fresh reads.
  primeDatabaseInfo([addon.id, addon.name], info);
  knownDatabase(addon);
  const ecStatus = infoRow(info, "Enhanced Certificates")?.[0] ?? (await getEnhancedCertificatesStatus(addon.id));
  const keyArn = infoRow(info, "Customer Encryption Key")?.[0];
  const configVarName = await configVarNameOf(stored.app, addon, stored.attachmentName);
  const vars = await getConfigVars(stored.app);
  // The add-on's own attachment holds the default credential's URL, which its credentials connect with and take
  // their TLS parameters from (credential/sql.ts defaultConnectionUrl): they need not read it again.
  const ownUrl = vars[configVarName];
  if (ownUrl && addon.app.name === stored.app) primeDefaultUrl([addon.id, addon.name], ownUrl);
  const major = info.postgres_version?.split(".")[0];
  const following = followingOf(info);
  const outs: SecureDatabaseOutputs = {
    app: stored.app,
    plan: reportedPlan(addon, stored.plan),
    encryptionKeyArn: reportedKey(keyArn, stored.encryptionKeyArn),
    enhancedCertificates: enhancedCertificatesOn(ecStatus),
    postgresVersion: stored.postgresVersion === undefined ? undefined : (major ?? stored.postgresVersion),
    name: stored.name === undefined ? undefined : addon.name,
    attachmentName: stored.attachmentName === undefined ? undefined : configVarName.replace(/_URL$/, ""),
    adoptAddonId: stored.adoptAddonId,
    follow: stored.follow,
    promote: stored.promote,
    timeouts: stored.timeouts,
    resumeKey: stored.resumeKey,
    addonId: addon.id,
    addonName: addon.name,
    state: addon.state,
    region: stored.region,
    connectionUrl: vars[configVarName] ?? "",
    enhancedCertificatesStatus: ecStatus,
    configVarName,
    availability: await availabilityOf(addon.name, addon.state, info),
    following,
    behindBy: following === undefined ? undefined : behindByOf(info),
    // Sticky: the promotion finished once, so `promote` and `follow` are history from now on (diff-table.ts).
    promoted:
      stored.promoted === true ||
      (stored.promote === true && stored.follow !== undefined && following === undefined) ||
      undefined,
  };
  return Object.fromEntries(Object.entries(outs).filter(([, v]) => v !== undefined)) as SecureDatabaseOutputs;
}
