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

/** The leader a follower follows, by the "Following" row, else the top-level field; undefined when not following. */
export function followingOf(info: DatabaseInfo): string | undefined {
  const row = infoRow(info, "Following")?.[0];
  if (row) return row;
  const top = info.following;
  if (top === undefined || top === null || top === false || top === "") return undefined;
  return typeof top === "string" ? top : JSON.stringify(top);
}

/** The "Behind By" row ("0 commits"), or undefined when Heroku shows none. */
export function behindByOf(info: DatabaseInfo): string | undefined {
  return infoRow(info, "Behind By")?.[0];
}

/** The commits a follower is behind by, from the "Behind By" row; undefined when the row is absent or unreadable. */
export function behindByCommits(info: DatabaseInfo): number | undefined {
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
