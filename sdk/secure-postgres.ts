import * as pulumi from "@pulumi/pulumi";
import { Credential } from "./credential";
import { CustomerKey, type CustomerKeyArgs } from "./customer-key";
import { IpAllowlist } from "./ip-allowlist";
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
  /** Existing IP rules by CIDR, their ids from `heroku data:mtls:ip-rules DATABASE`; the allowlist takes them over. */
  ipRuleIds?: Record<string, string>;
  /** Names of existing credentials to adopt (`heroku pg:credentials DATABASE`). */
  credentials?: string[];
}

const DEFAULT_PLAN = "heroku-postgresql:private-0";
const DEFAULT_CERTIFICATE = "default";

function cidrOf(entry: AllowedCidr): string {
  return typeof entry === "string" ? entry : entry.cidr;
}

/**
 * The name of the IpRule child that allowed a block before SecurePostgres used one IpAllowlist (0.x releases):
 * the allowlist takes over that rule instead of making a new one, so upgrading pauses no block.
 */
function legacyIpRuleName(component: string, cidr: string): string {
  return `${component}-ip-${cidr.replace(/[./]/g, "-")}`;
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
  /** The IP allowlist (every block of allowedCidrs), when allowedCidrs is set. */
  declare readonly allowlist: IpAllowlist | undefined;
  /** The named credentials, by name. */
  declare readonly credentials: Record<string, Credential>;
  /** The database's connection URL as the default credential (secret). */
  declare readonly connectionUrl: pulumi.Output<string>;
  /** The add-on name, the DATABASE argument of Heroku CLI commands. */
  declare readonly addonName: pulumi.Output<string>;
  /**
   * mTLS's status once the component is usable: `Operational` (the allowlist waits for it; without blocks,
   * MtlsConfig does), undefined without mTLS.
   */
  declare readonly mtlsStatus: pulumi.Output<string | undefined> | undefined;

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
    // A ResourceError with its stack hidden is printed once, under this component, as the rule it states
    // (@pulumi/pulumi automation/server.js and cmd/run/run.js); a plain Error reads as a crash of the package:
    // "Unhandled exception" and the stack, message included.
    if (problems.length > 0)
      throw new pulumi.ResourceError(`SecurePostgres ${name}: ${problems.join("; ")}`, this, true);

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
              // The new key's region, known at preview (its ARN is not), so a key in another region than the app's
              // space is refused before anything is made. CustomerKey defaults to AWS_REGION the same way.
              ...(key && migration === undefined ? { encryptionKeyRegion: key.region } : {}),
              enhancedCertificates,
              ...(args.adopt ? { adoptAddonId: args.adopt.database } : {}),
            },
            { ...child, protect: protect && migration !== "promote" },
          );
    const encrypted =
      migration === undefined
        ? undefined
        : new SecureDatabase(
            `${name}-db-encrypted`,
            {
              app: args.app,
              plan,
              encryptionKeyArn: keyArn,
              ...(key ? { encryptionKeyRegion: key.region } : {}),
              // Switched once it is the primary: until then the follower is a read-only copy of its leader.
              enhancedCertificates: migration === "follow" ? false : enhancedCertificates,
              ...(original ? { follow: original } : {}),
              ...(migration === "follow" ? {} : { promote: true }),
            },
            { ...child, protect },
          );
    // The app's primary: the old database until the promotion, the encrypted one from then on.
    const database = migration === "promote" || migration === "done" ? encrypted : original;
    // Unreachable: "done" is the only phase without the original, and every phase has the encrypted database.
    if (!database) throw new Error(`SecurePostgres ${name}: keyMigration ${String(migration)} declares no database`);
    // Children name the database by its id, the resource id Pulumi keeps known while the database updates in
    // place, so a preview of an in-place change above them shows no replacement below. (Stacks that stored the
    // add-on name see no change: either spelling is the same database.)
    const mtls = mtlsOn
      ? new MtlsConfig(
          `${name}-mtls`,
          {
            database: database.id,
            certificateNames,
            ...(args.adopt?.mtls ? { adoptExisting: true } : {}),
            // With an allowlist, the allowlist waits for the endpoint: its rules authorize while it provisions.
            ...(cidrs.length > 0 ? { waitForOperational: false } : {}),
          },
          child,
        )
      : undefined;
    // One allowlist for every block: its rules are posted at once and waited for together, so the stack waits
    // out Heroku's authorization delay once, whatever the CLI's parallelism. It needs mTLS enabled, not yet
    // Operational: its rules authorize while the endpoint provisions, and its create waits for both, since rules
    // only let anyone in once mTLS is Operational (Dev Center's mTLS article, step 3).
    const allowlist =
      mtls && cidrs.length > 0
        ? new IpAllowlist(
            `${name}-allowlist`,
            {
              database: database.id,
              entries: cidrs.map((entry) => {
                const extra: Exclude<AllowedCidr, string> = typeof entry === "string" ? { cidr: entry } : entry;
                return {
                  cidr: extra.cidr,
                  description: extra.description ?? `allowed by ${name}`,
                  ...(extra.acknowledgeWideCidr !== undefined
                    ? { acknowledgeWideCidr: extra.acknowledgeWideCidr }
                    : {}),
                };
              }),
              ...(args.adopt?.ipRuleIds ? { adoptRuleIds: args.adopt.ipRuleIds } : {}),
              supersedesIpRules: Object.fromEntries(cidrs.map((e) => [cidrOf(e), legacyIpRuleName(name, cidrOf(e))])),
            },
            { ...child, dependsOn: [mtls] },
          )
        : undefined;
    // A credential is made at Heroku as soon as its database exists, and `none` on a new one runs no SQL, so it
    // depends on nothing else. One that runs SQL (a level to grant, or one adopted and read) needs a connection
    // through the database's mTLS and allowlist: it depends on the allowlist too. Not only for order: the CLI runs
    // at most `--parallel` operations at once (4 x cores by default), so credentials that waited for the
    // connection inside their create could hold every slot while the allowlist, which registers only once mTLS is
    // Operational, queues behind them. (A stand-alone Credential still waits inside create for a connection that
    // is on its way: provider/credential/sql.ts, withUsableConnection.)
    const sqlGate = allowlist ?? mtls;
    const adopted = (credName: string): boolean => args.adopt?.credentials?.includes(credName) ?? false;
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
          ...(adopted(credName) ? { adoptExisting: true } : {}),
        },
        {
          ...child,
          dependsOn: sqlGate && (c.permissions !== "none" || adopted(credName)) ? [sqlGate] : [],
        },
      );
    }

    Object.assign(this, {
      key,
      database,
      mtls,
      allowlist,
      credentials,
      connectionUrl: database.connectionUrl,
      addonName: database.addonName,
      mtlsStatus: allowlist ? allowlist.mtlsStatus : mtls?.status,
    });
    this.registerOutputs({
      keyArn,
      addonName: database.addonName,
      connectionUrl: database.connectionUrl,
    });
  }
}
