import * as pulumi from "@pulumi/pulumi";
import { DYNAMIC_MODULE } from "./type-tokens";
import { resumeKey } from "./resume-key";
// Stored in state as a require of the installed package; see provider/shared/thin-provider.ts.
import provider = require("../provider/secure-database/provider");

/** Per-operation wait limits, as durations like "20m" or "1h30m". */
export interface SecureDatabaseTimeouts {
  /** @default "20m" */
  create?: string;
  /** @default "45m" (Enhanced Certificates can take 15 minutes or more) */
  update?: string;
  /** @default "20m" */
  delete?: string;
}

/** Arguments of a {@link SecureDatabase}. */
export interface SecureDatabaseArgs {
  /**
   * The app (name or id) the database is attached to. Changing this replaces the resource.
   */
  app: pulumi.Input<string>;
  /**
   * The Heroku Postgres plan, such as `heroku-postgresql:private-0`. With `encryptionKeyArn` it must be a
   * `private-*` or `shield-*` plan; mTLS later also needs one. Changing this changes the plan in place, keeping
   * the data (what `heroku addons:upgrade` does: less than a minute of downtime at the changeover); a change that
   * Heroku cannot make in place (out of the Private, Shield or Essential plans) is refused at preview.
   * @see https://devcenter.heroku.com/articles/updating-heroku-postgres-databases
   */
  plan: pulumi.Input<string>;
  /**
   * ARN of a symmetric, single-Region KMS key in the region of the app's space, whose policy allows Heroku's
   * account 021876802972 (see `CustomerKey`). Changing this replaces the resource.
   * @default Heroku's own key
   * @see https://devcenter.heroku.com/articles/encrypting-heroku-postgres-with-your-encryption-key
   */
  encryptionKeyArn?: pulumi.Input<string>;
  /**
   * The AWS region of the key in `encryptionKeyArn`, for the check at preview that it matches the region of the
   * app's space while the ARN is not known yet (a key created in the same run). Only checks read it.
   * @default the ARN's region, once known
   */
  encryptionKeyRegion?: pulumi.Input<string>;
  /**
   * Publicly verifiable server certificates, so clients can use `sslmode=verify-full`. Toggled in place; the
   * connection URL changes, and turning it off breaks clients that verify the certificate.
   * @default false
   * @see https://devcenter.heroku.com/articles/heroku-postgres-enhanced-certificates
   */
  enhancedCertificates?: pulumi.Input<boolean>;
  /**
   * The major Postgres version, such as "16". Changing this replaces the resource.
   * @default Heroku's current default version
   * @see https://devcenter.heroku.com/articles/heroku-postgres-version-support
   */
  postgresVersion?: pulumi.Input<string>;
  /**
   * The add-on name, unique across Heroku. Changing this replaces the resource. Without it, an interrupted
   * `pulumi up` finds the add-on it started by the derived name; a declared name is never taken over that way.
   * @default `postgresql-` and 12 hex digits derived from the project, stack, resource name and replace-fields
   */
  name?: pulumi.Input<string>;
  /**
   * The attachment name on the app; the connection URL is in the config var `<attachmentName>_URL`. Changing
   * this replaces the resource.
   * @default DATABASE for the app's first database, else HEROKU_POSTGRESQL_<COLOR>
   */
  attachmentName?: pulumi.Input<string>;
  /**
   * The id or name of an existing heroku-postgresql add-on of `app` to manage instead of creating one
   * (`pulumi import` does not work for dynamic resources). Only the create reads it: once adopted, changing or
   * removing it changes nothing. A failed adopted add-on is never deleted.
   * @default a new add-on is created
   */
  adoptAddonId?: pulumi.Input<string>;
  /**
   * Makes this database a follower of another one: the leader's add-on id or name, or the leader itself. A
   * follower is a read-only copy that streams every change of its leader; with `encryptionKeyArn` it is how an
   * existing database moves onto a customer key (the leader must then be unencrypted or use that very key).
   * Once the follower was promoted (or unfollowed), removing it changes nothing. Changing this replaces the
   * resource.
   * @default not a follower
   * @see https://devcenter.heroku.com/articles/heroku-postgres-follower-databases
   */
  follow?: pulumi.Input<string> | SecureDatabase;
  /**
   * Promotes this follower to the app's primary database: turns maintenance on for `app`, waits until the
   * follower has every committed row, attaches it as `DATABASE` (the old primary keeps another attachment),
   * unfollows it and turns maintenance off. Refused while the follower has not caught up and on a database that
   * does not exist yet. A killed run is finished by the next `pulumi up`. Once done, removing it changes nothing.
   * @default false
   */
  promote?: pulumi.Input<boolean>;
  /**
   * How long create, update and delete wait for Heroku (Pulumi's customTimeouts do not reach this resource).
   * @default { create: "20m", update: "45m", delete: "20m" }
   */
  timeouts?: pulumi.Input<SecureDatabaseTimeouts>;
}

/**
 * A Heroku Postgres database (the heroku-postgresql add-on) with an optional customer-managed encryption key and
 * Enhanced Certificates. Provisioning is waited for; a failed provisioning is cleaned up and reported.
 */
export class SecureDatabase extends pulumi.dynamic.Resource {
  /** The add-on id (also the resource id). */
  declare readonly addonId: pulumi.Output<string>;
  /** The add-on name, such as `postgresql-rectangle-12345`: the DATABASE argument of Heroku CLI commands. */
  declare readonly addonName: pulumi.Output<string>;
  /** The add-on state, `provisioned` once ready. */
  declare readonly state: pulumi.Output<string>;
  /** The Heroku region of the app, such as `virginia`. */
  declare readonly region: pulumi.Output<string>;
  /** The add-on plan. */
  declare readonly plan: pulumi.Output<string>;
  /** The app the add-on belongs to. */
  declare readonly app: pulumi.Output<string>;
  /** The connection URL from the app's config var (secret). */
  declare readonly connectionUrl: pulumi.Output<string>;
  /** Enabled, Disabled, Provisioning or Deprovisioning. */
  declare readonly enhancedCertificatesStatus: pulumi.Output<string>;
  /** Whether Enhanced Certificates are on, as Heroku reports it. */
  declare readonly enhancedCertificates: pulumi.Output<boolean>;
  /** The key as Heroku reports it in the database's "Customer Encryption Key" info row. */
  declare readonly encryptionKeyArn: pulumi.Output<string | undefined>;
  /** The config var holding the connection URL, such as DATABASE_URL. */
  declare readonly configVarName: pulumi.Output<string>;
  /**
   * Absent while Heroku serves the database; otherwise why it does not and what to do, for example after its
   * customer key was disabled in AWS KMS. `pulumi refresh` shows it as drift.
   */
  declare readonly availability: pulumi.Output<string | undefined>;
  /** The leader, as Heroku's "Following" row names it, while this database follows one. */
  declare readonly following: pulumi.Output<string | undefined>;
  /** How far behind its leader a follower is, as Heroku reports it ("Behind By", such as "0 commits"). */
  declare readonly behindBy: pulumi.Output<string | undefined>;
  /** True once a promotion of this database finished. */
  declare readonly promoted: pulumi.Output<boolean | undefined>;

  constructor(name: string, args: SecureDatabaseArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      {
        encryptionKeyArn: undefined,
        enhancedCertificates: undefined,
        ...args,
        follow: args.follow instanceof SecureDatabase ? args.follow.id : args.follow,
        resumeKey: resumeKey("SecureDatabase", name),
        addonId: undefined,
        addonName: undefined,
        state: undefined,
        region: undefined,
        connectionUrl: undefined,
        enhancedCertificatesStatus: undefined,
        configVarName: undefined,
        availability: undefined,
        following: undefined,
        behindBy: undefined,
        promoted: undefined,
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["connectionUrl"] }),
      DYNAMIC_MODULE,
      "SecureDatabase",
    );
  }
}
