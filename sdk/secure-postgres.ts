import * as pulumi from "@pulumi/pulumi";
import { Credential } from "./credential";
import { CustomerKey, type CustomerKeyArgs } from "./customer-key";
import { IpRule } from "./ip-rule";
import { MtlsConfig } from "./mtls-config";
import { SecureDatabase } from "./secure-database";
import { postureProblems } from "./secure-postgres-validation";
import { TYPE_TOKENS } from "./type-tokens";

/** One allowlisted address block: a CIDR string, or the CIDR with a description. */
export type AllowedCidr = string | { cidr: string; description?: string; acknowledgeWideCidr?: boolean };

/** One named credential of a {@link SecurePostgres}. */
export interface SecurePostgresCredentialArgs {
  /** `none`, `read-only` or `read-write`, on every schema in `schemas`. */
  permissions: "none" | "read-only" | "read-write";
  /**
   * The schemas the permission level applies to.
   * @default ["public"]
   */
  schemas?: string[];
  /** Apps that get a config var with this credential's URL: an app name, or `{ app, as }` to name the attachment. */
  attachTo?: (string | { app: string; as?: string })[];
  /** Any value; changing it rotates the password (zero downtime unless `forceRotation`). */
  rotationTrigger?: pulumi.Input<string>;
  /**
   * Rotate by ending old connections at once instead of letting them drain.
   * @default false
   */
  forceRotation?: boolean;
}

/** Arguments of a {@link SecurePostgres}. */
export interface SecurePostgresArgs {
  /**
   * The app the database belongs to, in a Private or Shield Space. Changing this replaces the database.
   * @see https://devcenter.heroku.com/articles/heroku-postgres-and-private-spaces
   */
  app: pulumi.Input<string>;
  /**
   * The heroku-postgresql plan; customer keys and mTLS need a `private-*` or `shield-*` plan. Changing this
   * replaces the database.
   * @default "heroku-postgresql:private-0"
   */
  plan?: string;
  /**
   * The ARN of an existing KMS key to encrypt the database with, instead of creating a {@link CustomerKey}.
   * Changing this replaces the database.
   * @default a new CustomerKey
   */
  existingKeyArn?: pulumi.Input<string>;
  /**
   * Settings of the CustomerKey made for this database, or `false` for Heroku's own encryption key.
   * @default {} (a key with rotation on, in AWS_REGION)
   * @see https://devcenter.heroku.com/articles/encrypting-heroku-postgres-with-your-encryption-key
   */
  customerKey?: CustomerKeyArgs | false;
  /**
   * CIDR blocks allowed to connect over mutual TLS, at most 60. Any entry turns mTLS on.
   * @default none
   * @see https://devcenter.heroku.com/articles/connecting-heroku-postgres#connecting-from-external-resources
   */
  allowedCidrs?: AllowedCidr[];
  /**
   * Names of the mTLS client certificates to issue, one per consumer. Any entry turns mTLS on.
   * @default ["default"] when allowedCidrs is set, else none
   */
  clientCertificates?: string[];
  /**
   * Publicly verifiable server certificates (`sslmode=verify-full`); never together with mTLS.
   * @default true when mTLS is off
   */
  enhancedCertificates?: boolean;
  /**
   * Named credentials, by name: their permission level, schemas and the apps they are attached to.
   * @default none
   */
  credentials?: Record<string, SecurePostgresCredentialArgs>;
  /**
   * Whether the database and the key are protected from deletion (`pulumi destroy` and replacements then fail).
   * @default true
   */
  protect?: boolean;
  /**
   * Take over a database that already exists, and whatever of it is named here, instead of creating them. The
   * `up` that adopts changes nothing at Heroku, KMS or PostgreSQL; the next preview shows each difference from
   * these args as an ordinary update (or an honest replacement). Only the create reads it: keeping, changing or
   * removing it afterwards changes nothing. See "Adopting what exists" in the README for where to find each id.
   * @default nothing is adopted
   */
  adopt?: SecurePostgresAdoption;
  /**
   * Moves a database that runs on Heroku's own key onto the customer key (`customerKey` or `existingKeyArn`)
   * without a replacement, in three reviewed changes (README "Adding a customer key to an existing
   * SecurePostgres"): `"follow"` adds `<name>-db-encrypted`, a follower of `<name>-db` encrypted with the key;
   * `"promote"` makes it the app's primary database (maintenance, catch-up, DATABASE, unfollow) and lifts the old
   * database's protection; `"done"` removes `<name>-db`. Keep `"done"` afterwards: the database stays
   * `<name>-db-encrypted`. Not yet with mTLS or named credentials (add them once it is `"done"`).
   * @default no migration
   */
  keyMigration?: KeyMigrationPhase;
}

/** The phases of {@link SecurePostgresArgs.keyMigration}, one reviewed change each. */
export type KeyMigrationPhase = "follow" | "promote" | "done";

/** What a {@link SecurePostgres} takes over instead of creating. */
export interface SecurePostgresAdoption {
  /** The existing heroku-postgresql add-on of `app`, by name or id (`heroku addons -a APP`). */
  database: string;
  /**
   * The existing KMS key the database is encrypted with, by id or ARN (the "Customer Encryption Key" row of
   * `heroku pg:info`); for `customerKey` (use `existingKeyArn` to leave the key out of the stack instead).
   */
  keyId?: string;
  /** Adopt the mTLS already enabled on the database (`heroku data:mtls DATABASE`). @default false */
  mtls?: boolean;
  /** Existing IP rules by CIDR, their ids from `heroku data:mtls:ip-rules DATABASE`. */
  ipRuleIds?: Record<string, string>;
  /** Names of existing credentials to adopt (`heroku pg:credentials DATABASE`). */
  credentials?: string[];
}

const DEFAULT_PLAN = "heroku-postgresql:private-0";
const DEFAULT_CERTIFICATE = "default";

function cidrOf(entry: AllowedCidr): string {
  return typeof entry === "string" ? entry : entry.cidr;
}

/** A stable child name for a CIDR: renaming it would need an alias, so it depends only on the block. */
function cidrSlug(cidr: string): string {
  return cidr.replace(/[./]/g, "-");
}

/**
 * A locked-down Heroku Postgres in one declaration: a customer-managed key, the database encrypted with it,
 * mutual TLS with an IP allowlist and client certificates (or Enhanced Certificates when mTLS is off), and named
 * credentials attached to apps. Child names derive from this component's name.
 */
export class SecurePostgres extends pulumi.ComponentResource {
  /** The CustomerKey made for the database, unless `existingKeyArn` or `customerKey: false` was given. */
  declare readonly key: CustomerKey | undefined;
  /** The database. */
  declare readonly database: SecureDatabase;
  /** The mTLS configuration, when allowedCidrs or clientCertificates are set. */
  declare readonly mtls: MtlsConfig | undefined;
  /** The IP rules, by CIDR. */
  declare readonly ipRules: Record<string, IpRule>;
  /** The named credentials, by name. */
  declare readonly credentials: Record<string, Credential>;
  /** The database's connection URL as the default credential (secret). */
  declare readonly connectionUrl: pulumi.Output<string>;
  /** The add-on name, the DATABASE argument of Heroku CLI commands. */
  declare readonly addonName: pulumi.Output<string>;

  constructor(name: string, args: SecurePostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPE_TOKENS.SecurePostgres, name, {}, opts);
    const plan = args.plan ?? DEFAULT_PLAN;
    const cidrs = args.allowedCidrs ?? [];
    const mtlsOn = cidrs.length > 0 || (args.clientCertificates?.length ?? 0) > 0;
    const certificateNames = args.clientCertificates ?? (mtlsOn ? [DEFAULT_CERTIFICATE] : []);
    const enhancedCertificates = args.enhancedCertificates ?? !mtlsOn;
    const byok = args.existingKeyArn !== undefined || args.customerKey !== false;
    const credentialArgs = args.credentials ?? {};
    const problems = postureProblems({
      plan,
      byok,
      mtls: mtlsOn,
      enhancedCertificates,
      cidrs: cidrs.map(cidrOf),
      clientCertificates: certificateNames,
      credentials: credentialArgs,
      keyMigration: args.keyMigration,
    });
    if (problems.length > 0) throw new Error(`SecurePostgres ${name}: ${problems.join("; ")}`);

    const protect = args.protect ?? true;
    const child = { parent: this };
    const key =
      args.existingKeyArn === undefined && args.customerKey !== false
        ? new CustomerKey(
            `${name}-key`,
            { ...args.customerKey, ...(args.adopt?.keyId ? { adoptKeyId: args.adopt.keyId } : {}) },
            { ...child, protect },
          )
        : undefined;
    const keyArn = args.existingKeyArn ?? key?.arn;
    const migration = args.keyMigration;
    // During a key migration `<name>-db` stays as it is (Heroku's own key) until "done" removes it.
    const original =
      migration === "done"
        ? undefined
        : new SecureDatabase(
            `${name}-db`,
            {
              app: args.app,
              plan,
              encryptionKeyArn: migration === undefined ? keyArn : undefined,
              enhancedCertificates,
              ...(args.adopt ? { adoptAddonId: args.adopt.database } : {}),
            },
            { ...child, protect: protect && migration !== "promote" },
          );
    const database =
      migration === undefined && original
        ? original
        : new SecureDatabase(
            `${name}-db-encrypted`,
            {
              app: args.app,
              plan,
              encryptionKeyArn: keyArn,
              // Switched once it is the primary: until then the follower is a read-only copy of its leader.
              enhancedCertificates: migration === "follow" ? false : enhancedCertificates,
              ...(original ? { follow: original } : {}),
              ...(migration === "follow" ? {} : { promote: true }),
            },
            { ...child, protect },
          );
    // Children name the database by its id, the resource id Pulumi keeps known while the database updates in
    // place, so a preview of an in-place change above them shows no replacement below. (Stacks that stored the
    // add-on name see no change: either spelling is the same database.)
    const mtls = mtlsOn
      ? new MtlsConfig(
          `${name}-mtls`,
          { database: database.id, certificateNames, ...(args.adopt?.mtls ? { adoptExisting: true } : {}) },
          child,
        )
      : undefined;
    const ipRules: Record<string, IpRule> = {};
    for (const entry of cidrs) {
      const cidr = cidrOf(entry);
      const extra: Exclude<AllowedCidr, string> = typeof entry === "string" ? { cidr } : entry;
      ipRules[cidr] = new IpRule(
        `${name}-ip-${cidrSlug(cidr)}`,
        {
          database: database.id,
          cidr,
          description: extra.description ?? `allowed by ${name}`,
          acknowledgeWideCidr: extra.acknowledgeWideCidr,
          ...(args.adopt?.ipRuleIds?.[cidr] ? { adoptRuleId: args.adopt.ipRuleIds[cidr] } : {}),
        },
        // Rules only work once mTLS is Operational.
        { ...child, dependsOn: mtls ? [mtls] : [] },
      );
    }
    // With mTLS on, the provider applies permission levels through the mTLS endpoint, so the allowlist must be in
    // place first (the address running pulumi has to be one of allowedCidrs).
    const credentialDeps = mtls ? [mtls, ...Object.values(ipRules)] : [database];
    const credentials: Record<string, Credential> = {};
    for (const [credName, c] of Object.entries(credentialArgs)) {
      credentials[credName] = new Credential(
        `${name}-credential-${credName}`,
        {
          database: database.id,
          name: credName,
          permissions: c.permissions,
          schemas: c.schemas,
          attachments: (c.attachTo ?? []).map((a) => (typeof a === "string" ? { app: a } : { app: a.app, name: a.as })),
          rotationTrigger: c.rotationTrigger,
          forceRotation: c.forceRotation,
          ...(args.adopt?.credentials?.includes(credName) ? { adoptExisting: true } : {}),
        },
        { ...child, dependsOn: credentialDeps },
      );
    }

    Object.assign(this, {
      key,
      database,
      mtls,
      ipRules,
      credentials,
      connectionUrl: database.connectionUrl,
      addonName: database.addonName,
    });
    this.registerOutputs({
      keyArn,
      addonName: database.addonName,
      connectionUrl: database.connectionUrl,
    });
  }
}
