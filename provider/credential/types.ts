import type { DatabaseIdentity } from "../shared/database-ref";
import type { Timeouts } from "../shared/timeouts";

/** Dev Center's "Heroku Postgres Credentials" (docs/heroku-api.md), "Managing permissions": the three built-in levels. */
export type PermissionLevel = "none" | "read-only" | "read-write";

/** One app the credential is attached to (docs/heroku-api.md 2.4, namespace `credential:<name>`). */
export interface CredentialAttachment {
  app: string;
  /** The attachment name; its config var is `<name>_URL`. Heroku picks one when omitted. */
  name?: string;
}

/** The plain inputs the provider receives (the sdk class has the documented pulumi.Input version). */
export interface CredentialInputs extends DatabaseIdentity {
  /** Set by the sdk class (sdk/resume-key.ts): lets `create` recognise what an interrupted run made. */
  resumeKey?: string;
  /** The Postgres add-on's name or id. */
  database: string;
  name: string;
  /** Default `none`: what Heroku gives a new credential (CONNECT only, Dev Center's "Heroku Postgres Credentials" (docs/heroku-api.md)). */
  permissions?: PermissionLevel;
  /** Default `["public"]`. */
  schemas?: string[];
  attachments?: CredentialAttachment[];
  /** Any value; changing it rotates the password. */
  rotationTrigger?: string;
  /** Rotate with `{"forced": true}`: old connections are killed at once (docs/heroku-api.md 2.1). */
  forceRotation?: boolean;
  /** Adopt the existing credential of this name instead of creating it. */
  adoptExisting?: boolean;
  timeouts?: Timeouts;
}

/** An attachment as stored in state. */
export interface AttachmentOutput {
  app: string;
  name: string;
  id: string;
  /** `<NAME>_URL` on the app. */
  configVar: string;
}

/** Everything stored in state. */
export interface CredentialOutputs extends CredentialInputs {
  /** Store-level state (docs/heroku-api.md 2.2): `active`, `provisioning`, `rotating`, ... */
  state: string;
  /** The active inner credential's user (the `-rotating` one during a rotation). */
  username: string;
  /** Secret. */
  password: string;
  /** Secret. `postgres://user:password@host:port/database`. */
  url: string;
  attachmentConfigVars: AttachmentOutput[];
  /**
   * The level each schema is really at, from the role's grants (grants.ts derivePermissionLevels): a level, or
   * `custom` after a GRANT or REVOKE outside the stack. `permissions` holds the schemas' common level.
   */
  effectivePermissions: Record<string, string>;
}
