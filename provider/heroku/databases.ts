import { herokuClient } from "./client";

/** docs/heroku-api.md section 4.6; only the fields we read. */
export interface DatabaseInfo {
  addon_id: string;
  name: string;
  plan?: { name: string };
  postgres_version?: string;
  /** False while Heroku does not serve the database (for example after its customer key was disabled). */
  available_for_ingress?: boolean;
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
