import { herokuClient } from "./client";
import { AmbiguousRequestError, HerokuApiError } from "./errors";
import type { Attachment } from "./addons";

/** docs/heroku-api.md 2.2: a credential of a classic-tier database. */
export interface Credential {
  uuid: string;
  name: string;
  state: string;
  database: string;
  host: string;
  port: number | string;
  credentials: { user: string; password: string; state: string; connections: number | null }[];
}

const base = (db: string): string => `/postgres/v0/databases/${encodeURIComponent(db)}`;
const one = (db: string, name: string): string => `${base(db)}/credentials/${encodeURIComponent(name)}`;

export function listCredentials(db: string): Promise<Credential[]> {
  return herokuClient().list<Credential>("data", `${base(db)}/credentials`);
}

export function getCredential(db: string, name: string): Promise<Credential> {
  return herokuClient().get<Credential>("data", one(db, name));
}

/** Not repeated blindly after an ambiguous failure: the caller reads back by name first (shared/resume.ts). */
export async function createCredential(db: string, name: string): Promise<void> {
  await herokuClient().request({ api: "data", method: "POST", path: `${base(db)}/credentials`, body: { name } });
}

export async function destroyCredential(db: string, name: string): Promise<void> {
  await herokuClient().request({ api: "data", method: "DELETE", path: one(db, name) });
}

/**
 * A destroy refused because the credential is still attached to an app (docs/heroku-api.md 2.3; the emulator's
 * words, emulator/README.md: "Credential N must be detached from the app(s) A, B before destroying.").
 */
export function isRefusedAsAttached(err: unknown): boolean {
  return err instanceof HerokuApiError && err.status === 422 && /\bdetach/i.test(err.herokuMessage);
}

/**
 * docs/heroku-api.md 2.1: `{}` or `{"forced": true}`. A forced rotation is retried like a read after a 5xx or a dropped
 * connection: repeating it only changes the password once more. One without force is not (Heroku refuses a second
 * while the first drains), so an unknown outcome says how to find out and what to run.
 */
export async function rotateCredential(db: string, name: string, forced: boolean): Promise<void> {
  try {
    await herokuClient().request({
      api: "data",
      method: "POST",
      path: `${one(db, name)}/credentials_rotation`,
      body: forced ? { forced: true } : {},
      idempotent: forced,
    });
  } catch (err) {
    if (!(err instanceof AmbiguousRequestError)) throw err;
    throw new AmbiguousRequestError(
      `${err.message}. heroku pg:credentials ${db} shows whether ${name} is rotating; once it is active again, ` +
        "run pulumi up again to rotate it (one more rotation is harmless)",
    );
  }
}

export function listAddonAttachments(addon: string): Promise<Attachment[]> {
  return herokuClient().list<Attachment>("platform", `/addons/${encodeURIComponent(addon)}/addon-attachments`);
}

/**
 * docs/heroku-api.md 2.4: namespace "credential:N" attaches credential N. Not repeated blindly after an ambiguous
 * failure: the caller reads back first (shared/resume.ts).
 */
export async function attachCredential(db: string, name: string, app: string, as?: string): Promise<Attachment> {
  const res = await herokuClient().request<Attachment>({
    api: "platform",
    method: "POST",
    path: "/addon-attachments",
    body: { addon: { name: db }, app: { name: app }, namespace: `credential:${name}`, ...(as ? { name: as } : {}) },
  });
  return res.data;
}

export async function detachAttachment(id: string): Promise<void> {
  await herokuClient().request({
    api: "platform",
    method: "DELETE",
    path: `/addon-attachments/${encodeURIComponent(id)}`,
  });
}
