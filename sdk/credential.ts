import * as pulumi from "@pulumi/pulumi";
import { DYNAMIC_MODULE } from "./type-tokens";
import { resumeKey } from "./resume-key";
// Stored in state as a require of the installed package; see provider/shared/thin-provider.ts.
import provider = require("../provider/credential/provider");

/** Per-operation wait limits, as durations like "20m". */
export interface CredentialTimeouts {
  /** @default "10m" */
  create?: string;
  /** @default "45m" (a rotation without force waits up to about 30 minutes for old connections) */
  update?: string;
  /** @default "10m" */
  delete?: string;
}

/** One app a {@link Credential} is attached to. */
export interface CredentialAttachmentArgs {
  /** The app's name. */
  app: pulumi.Input<string>;
  /**
   * The attachment name; the app gets the config var `<name>_URL`.
   * @default DATABASE on an app without Postgres, else HEROKU_POSTGRESQL_<COLOR>
   */
  name?: pulumi.Input<string>;
}

/** Arguments of a {@link Credential}. */
export interface CredentialArgs {
  /**
   * The Heroku Postgres database (add-on name or id). Standard, Premium, Private or Shield plans only, never a
   * follower. Changing this replaces the resource.
   */
  database: pulumi.Input<string>;
  /**
   * The credential's name, which is also its Postgres user: 1 to 50 letters, digits, `-` or `_`, not `default`
   * and not ending in `-rotating`. At most 60 credentials per database, the default included. Changing this
   * replaces the resource.
   * @see https://devcenter.heroku.com/articles/heroku-postgresql-credentials
   */
  name: pulumi.Input<string>;
  /**
   * The permission level on every listed schema, applied with GRANT/REVOKE as the default credential (revoke
   * first, then grant), for existing and future tables: `none` (CONNECT only), `read-only` (SELECT) or
   * `read-write` (also INSERT, UPDATE, DELETE and sequences). Changed in place.
   * @default "none"
   */
  permissions?: pulumi.Input<"none" | "read-only" | "read-write">;
  /**
   * The schemas the level applies to. Changed in place; a schema removed from the list is revoked.
   * @default ["public"]
   */
  schemas?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Apps that get this credential's URL as a config var. Changed in place (attach and detach).
   * @default no attachments
   */
  attachments?: pulumi.Input<pulumi.Input<CredentialAttachmentArgs>[]>;
  /**
   * Any value; changing it rotates the password in place. Without `forceRotation`, open connections keep
   * working until they close (at most about 30 minutes) while new ones use the new password.
   * @default no rotation
   */
  rotationTrigger?: pulumi.Input<string>;
  /**
   * Rotate with force: the old connections are ended at once. Changed in place.
   * @default false
   */
  forceRotation?: pulumi.Input<boolean>;
  /**
   * Manage an existing credential of this name instead of creating it (`pulumi import` does not work for
   * dynamic resources). Only the create reads it: once adopted, changing or removing it changes nothing.
   * @default false
   */
  adoptExisting?: pulumi.Input<boolean>;
  /**
   * How long create, update and delete wait for Heroku (Pulumi's customTimeouts do not reach this resource).
   * Changed in place.
   * @default { create: "10m", update: "45m", delete: "10m" }
   */
  timeouts?: pulumi.Input<CredentialTimeouts>;
}

/**
 * A named Heroku Postgres credential: a Postgres role with a permission level on a list of schemas, attached to
 * apps as config vars, rotated when `rotationTrigger` changes. Destroying it detaches it from every app first;
 * what it owned passes to the default credential.
 */
export class Credential extends pulumi.dynamic.Resource {
  /** The database, as given. */
  declare readonly database: pulumi.Output<string>;
  /** The credential name. */
  declare readonly name: pulumi.Output<string>;
  /** The level in force: `none`, `read-only`, `read-write`, or `custom` after a change outside the stack. */
  declare readonly permissions: pulumi.Output<string>;
  /** The level of each schema, as the role's grants show it. */
  declare readonly effectivePermissions: pulumi.Output<Record<string, string>>;
  /** Heroku's state of the credential: `active`, or `rotating` while old connections drain. */
  declare readonly state: pulumi.Output<string>;
  /** The active Postgres user (`<name>-rotating` while a rotation drains). */
  declare readonly username: pulumi.Output<string>;
  /** The active password (secret). */
  declare readonly password: pulumi.Output<string>;
  /** `postgres://user:password@host:port/database?sslmode=...` (secret). */
  declare readonly url: pulumi.Output<string>;
  /** Each attachment: app, attachment name, id and the config var it sets (`<NAME>_URL`). */
  declare readonly attachmentConfigVars: pulumi.Output<{ app: string; name: string; id: string; configVar: string }[]>;

  constructor(name: string, args: CredentialArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      {
        permissions: undefined,
        schemas: undefined,
        attachments: undefined,
        rotationTrigger: undefined,
        forceRotation: undefined,
        adoptExisting: undefined,
        timeouts: undefined,
        ...args,
        resumeKey: resumeKey("Credential", name),
        effectivePermissions: undefined,
        state: undefined,
        username: undefined,
        password: undefined,
        url: undefined,
        attachmentConfigVars: undefined,
      },
      // A replacement (also `pulumi up --replace`) makes a credential of the same name on the same database, which
      // cannot exist twice: the old one is removed first unless the program says otherwise.
      pulumi.mergeOptions({ deleteBeforeReplace: true, ...opts }, { additionalSecretOutputs: ["password", "url"] }),
      DYNAMIC_MODULE,
      "Credential",
    );
  }
}
