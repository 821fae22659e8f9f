import * as pulumi from "@pulumi/pulumi";
import { DYNAMIC_MODULE } from "./type-tokens";
import type { PolicyStatement } from "./key-policy";
// Stored in state as a require of the installed package; see provider/shared/thin-provider.ts.
import provider = require("../provider/customer-key/provider");

/** Arguments of a {@link CustomerKey}. */
export interface CustomerKeyArgs {
  /**
   * The AWS region of the key; it must be the region of the Heroku Private or Shield Space of the databases that
   * will use it. Changing this replaces the resource.
   * @default the AWS_REGION of the environment running pulumi
   * @see https://devcenter.heroku.com/articles/encrypting-heroku-postgres-with-your-encryption-key
   */
  region?: pulumi.Input<string>;
  /**
   * A description of the key.
   * @default none
   */
  description?: pulumi.Input<string>;
  /**
   * An alias for the key, starting with `alias/` (not `alias/aws/`), such as `alias/heroku-data`.
   * @default no alias
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html
   */
  alias?: pulumi.Input<string>;
  /**
   * Whether KMS rotates the key material automatically; Heroku Postgres sees no downtime when it does.
   * @default true
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html
   */
  enableKeyRotation?: pulumi.Input<boolean>;
  /**
   * Days between automatic rotations, from 90 to 2560. Only with `enableKeyRotation`.
   * @default 365
   */
  rotationPeriodInDays?: pulumi.Input<number>;
  /**
   * Days KMS keeps the key once its deletion is scheduled (only with `removalPolicy: "schedule-deletion"`), from
   * 7 to 30, during which the deletion can be cancelled. The key is never deleted at once.
   * @default 30
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html
   */
  deletionWindowInDays?: pulumi.Input<number>;
  /**
   * IAM statements appended to the key policy, after the ones granting the account root `kms:*` and Heroku's
   * account 021876802972 use of the key.
   * @default none
   */
  additionalPolicyStatements?: pulumi.Input<pulumi.Input<PolicyStatement>[]>;
  /**
   * Tags on the key.
   * @default none
   */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * Whether the key is enabled. Disabling it shuts down every Heroku Postgres database encrypted with it about 20
   * minutes later, so `false` also needs `acknowledgeDatabaseShutdown: true`.
   * @default true
   * @see https://devcenter.heroku.com/articles/encrypting-heroku-postgres-with-your-encryption-key#disabling-your-encryption-key
   */
  enabled?: pulumi.Input<boolean>;
  /**
   * Confirms that `enabled: false` may shut down the databases using the key.
   * @default false
   */
  acknowledgeDatabaseShutdown?: pulumi.Input<boolean>;
  /**
   * The id or ARN of an existing key to manage instead of creating one (`pulumi import` does not work for
   * dynamic resources). Adopting changes nothing in KMS: the key is recorded as it is, and the next preview shows
   * each difference from these inputs as an update. Statements of its policy that this package does not write,
   * and a description or tags these inputs leave out, are kept. Once adopted, changing or removing this changes
   * nothing.
   * @default a new key is created
   */
  adoptKeyId?: pulumi.Input<string>;
  /**
   * What deleting or replacing this resource does to the key. `retain` leaves it in KMS exactly as it is (its
   * databases keep working; the stack only forgets it); `schedule-deletion` schedules its deletion after
   * `deletionWindowInDays`, after which every database encrypted with it is unavailable. Changed in place.
   * @default "retain" (as AWS CDK's RemovalPolicy.RETAIN for kms.Key)
   * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_kms.Key.html
   */
  removalPolicy?: pulumi.Input<"retain" | "schedule-deletion">;
}

/**
 * A symmetric, single-Region AWS KMS key whose policy lets Heroku Postgres encrypt a database with it (BYOK).
 * Pass its `arn` to `SecureDatabase.encryptionKeyArn`.
 * @see https://devcenter.heroku.com/articles/encrypting-heroku-postgres-with-your-encryption-key
 */
export class CustomerKey extends pulumi.dynamic.Resource {
  /** The KMS key id. */
  declare readonly keyId: pulumi.Output<string>;
  /**
   * The key ARN, for `SecureDatabase.encryptionKeyArn`; also the resource id, so it stays known in the preview of
   * an in-place change of the key.
   */
  declare readonly arn: pulumi.Output<string>;
  /** The AWS account that owns the key. */
  declare readonly accountId: pulumi.Output<string>;
  /** Enabled, Disabled, PendingDeletion ... as KMS reports it. */
  declare readonly keyState: pulumi.Output<string>;
  /** The key policy (JSON) as KMS holds it. */
  declare readonly policy: pulumi.Output<string>;
  /** The ARN of the alias, when `alias` is set. */
  declare readonly aliasArn: pulumi.Output<string | undefined>;
  /** The AWS region of the key. */
  declare readonly region: pulumi.Output<string>;
  /** The alias as KMS reports it; refresh shows one changed outside the stack. */
  declare readonly alias: pulumi.Output<string | undefined>;
  /** The description as KMS reports it. */
  declare readonly description: pulumi.Output<string | undefined>;
  /** Whether automatic rotation is on, as KMS reports it. */
  declare readonly enableKeyRotation: pulumi.Output<boolean>;
  /** The rotation period as KMS reports it. */
  declare readonly rotationPeriodInDays: pulumi.Output<number | undefined>;
  /** The waiting period used when the resource is destroyed. */
  declare readonly deletionWindowInDays: pulumi.Output<number>;
  /** Whether the key is enabled, as KMS reports it. */
  declare readonly enabled: pulumi.Output<boolean>;
  /** The tags as KMS reports them. */
  declare readonly tags: pulumi.Output<Record<string, string> | undefined>;

  constructor(name: string, args: CustomerKeyArgs = {}, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      {
        // Declared outputs that are also optional inputs must be in props even when not given.
        region: undefined,
        alias: undefined,
        description: undefined,
        enableKeyRotation: undefined,
        rotationPeriodInDays: undefined,
        deletionWindowInDays: undefined,
        enabled: undefined,
        tags: undefined,
        removalPolicy: undefined,
        ...args,
        keyId: undefined,
        arn: undefined,
        accountId: undefined,
        keyState: undefined,
        policy: undefined,
        aliasArn: undefined,
      },
      opts,
      DYNAMIC_MODULE,
      "CustomerKey",
    );
    // The ARN from the resource id, which Pulumi keeps known while the key updates in place (outputs of a
    // dynamic resource are all unknown in the preview of an update), so a database given `key.arn` previews no
    // replacement for an alias, tag or rotation change. A key made before the id was the ARN uses the output
    // until the next `pulumi refresh` moves its id.
    const reported = this.arn;
    this.arn = this.id.apply((id) => (id.startsWith("arn:") ? pulumi.output(id) : reported));
  }
}
