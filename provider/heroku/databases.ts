import { herokuClient } from "./client";

/** docs/heroku-api.md section 4.6; only the fields we read. */
export interface DatabaseInfo {
  addon_id: string;
  name: string;
  plan?: { name: string };
  postgres_version?: string;
  /** False while Heroku does not serve the database (for example after its customer key was disabled). */
  available_for_ingress?: boolean;
  /** Non-null on a follower (docs/heroku-api.md section 4.6); its shape is not documented, the "Following" row is. */
  following?: unknown;
  /** The leader's add-on name on a follower (recorded responses show it next to `following`). */
  leader?: unknown;
  info: { name: string; values: string[] }[];
}

export interface WaitStatus {
  "waiting?": boolean;
  "error?": boolean;
  message: string;
}

export type EnhancedCertificatesStatus = "Enabled" | "Disabled" | "Provisioning" | "Deprovisioning";

const db = (addon: string): string => `/client/v11/databases/${encodeURIComponent(addon)}`;
const ec = (addon: string): string => `/client/v11/enhanced_certificates/${encodeURIComponent(addon)}`;

export function getDatabase(addon: string): Promise<DatabaseInfo> {
  return herokuClient().get<DatabaseInfo>("data", db(addon));
}

/** The values of one `pg:info` row, or undefined when the row is absent. */
export function infoRow(info: DatabaseInfo, name: string): string[] | undefined {
  return info.info.find((row) => row.name === name)?.values;
}

/**
 * The leader a follower follows, or undefined when it follows none. `following` (non-null on a follower, as
 * `pg:unfollow` reads it) and the "Following" row decide; the leader is named by the `leader` field (its add-on
 * name) where Heroku gives one, else by the row or the field (a database URL: shown without any user or password).
 */
export function followingOf(info: DatabaseInfo): string | undefined {
  const row = infoRow(info, "Following")?.[0];
  const top = info.following;
  const follows = (top !== undefined && top !== null && top !== false && top !== "") || row !== undefined;
  if (!follows) return undefined;
  if (typeof info.leader === "string" && info.leader !== "") return info.leader;
  const named = row ?? (typeof top === "string" ? top : JSON.stringify(top));
  return withoutCredentials(named);
}

function withoutCredentials(text: string): string {
  try {
    const url = new URL(text);
    if (!url.username && !url.password) return text;
    url.username = "";
    url.password = "";
    return url.toString();
  } catch {
    return text;
  }
}

/** The "Behind By" row ("0 commits"), or undefined when Heroku shows none. */
export function behindByOf(info: DatabaseInfo): string | undefined {
  return infoRow(info, "Behind By")?.[0];
}

/**
 * The amount a follower is behind by, the leading number of the "Behind By" row ("0 commits", "0 bytes", "12 kB");
 * undefined when the row is absent or does not start with a number. Only zero is compared, so the unit is moot.
 */
export function behindByAmount(info: DatabaseInfo): number | undefined {
  const match = /^\s*(\d+)/.exec(behindByOf(info) ?? "");
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** docs/heroku-api.md section 4.5: `pg:unfollow`; the database stops following and takes writes. */
export async function unfollowDatabase(addon: string): Promise<void> {
  await herokuClient().request({ api: "data", method: "PUT", path: `${db(addon)}/unfollow` });
}

export function getWaitStatus(addon: string): Promise<WaitStatus> {
  return herokuClient().get<WaitStatus>("data", `${db(addon)}/wait_status`);
}

/** docs/heroku-api.md section 3.1: PUT, empty answer. */
export async function setEnhancedCertificates(addon: string, enabled: boolean): Promise<void> {
  await herokuClient().request({ api: "data", method: "PUT", path: `${ec(addon)}/${enabled ? "enable" : "disable"}` });
}

export async function getEnhancedCertificatesStatus(addon: string): Promise<EnhancedCertificatesStatus | string> {
  const res = await herokuClient().get<{ status: string }>("data", `${ec(addon)}/status`);
  return res.status;
}
