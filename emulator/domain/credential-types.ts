import type { PendingTransition } from "../machines/pending";

/** Inner credential states (docs/heroku-api.md 2.2). */
export type InnerCredentialState = "active" | "archived" | "enabling" | "revoked" | "revoking";
/** Store-level credential states (docs/heroku-api.md 2.2). */
export type CredentialState =
  "active" | "archived" | "provisioning" | "revoking" | "rotating" | "rotation_completed" | "wait_for_provisioning";

export interface CredentialUser {
  user: string;
  password: string;
  state: InnerCredentialState;
}

/** A non-forced rotation under way (Dev Center's "Heroku Postgres Credentials" (docs/heroku-api.md), "Credential Rotation State Details"). */
export interface RotationRecord {
  /** Emulator clock (ms) when it began: the grace period counts from here. */
  startedAt: number;
  /** PostgreSQL's clock_timestamp() when it began: sessions that started earlier are the old user's. */
  serverStartedAt: string;
  oldPassword: string;
  newPassword: string;
}

/** A named credential of one database. The default credential is not stored: it is the add-on's `db` record. */
export interface CredentialRecord {
  uuid: string;
  name: string;
  state: CredentialState;
  users: CredentialUser[];
  createdAt: string;
  rotation?: RotationRecord;
  /** Set to "passed" by the `rotation` machine: the shortest time a rotation shows as rotating is over. */
  rotationMinimum?: string;
  pending: PendingTransition[];
}
