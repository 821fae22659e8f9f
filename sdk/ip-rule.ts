import * as pulumi from "@pulumi/pulumi";
import { DYNAMIC_MODULE } from "./type-tokens";
import { resumeKey } from "./resume-key";
// Stored in state as a require of the installed package; see provider/shared/thin-provider.ts.
import provider = require("../provider/ip-rule/provider");

/** Per-operation wait limits, as durations like "20m". */
export interface IpRuleTimeouts {
  /** @default "20m" (authorizing takes 10-15 minutes on Heroku) */
  create?: string;
  /** @default "10m" */
  delete?: string;
}

/** Arguments of an {@link IpRule}. */
export interface IpRuleArgs {
  /**
   * The database (add-on name or id) whose mTLS allowlist gets the rule; mTLS must be enabled first (make the
   * rule depend on the {@link MtlsConfig}). Changing this replaces the resource.
   */
  database: pulumi.Input<string>;
  /**
   * An IPv4 CIDR block such as `203.0.113.10/32` (octets 0-255, prefix 0-32, host bits zero). At most 60 rules
   * per database. Changing this replaces the resource.
   */
  cidr: pulumi.Input<string>;
  /**
   * A readable description, such as "Office IP". Changing this replaces the resource. The old rule is deleted
   * before the new one is made, so access from that block pauses until the new rule is Authorized.
   */
  description: pulumi.Input<string>;
  /**
   * Confirms a wide block: `0.0.0.0/0` or any prefix shorter than /8 is refused without it.
   * @default false
   */
  acknowledgeWideCidr?: pulumi.Input<boolean>;
  /**
   * The id of an existing rule with the same CIDR to manage instead of creating one. Only the create reads it:
   * once adopted, changing or removing it changes nothing.
   * @default a new rule is created
   */
  adoptRuleId?: pulumi.Input<string>;
  /**
   * How long create and delete wait for Heroku.
   * @default { create: "20m", delete: "10m" }
   */
  timeouts?: pulumi.Input<IpRuleTimeouts>;
}

/** One allowlisted CIDR block for a database with mTLS; created rules are waited for until `Authorized`. */
export class IpRule extends pulumi.dynamic.Resource {
  /** The database, as given. */
  declare readonly database: pulumi.Output<string>;
  /** The CIDR block. */
  declare readonly cidr: pulumi.Output<string>;
  /** The description. */
  declare readonly description: pulumi.Output<string>;
  /** Heroku's id of the rule. */
  declare readonly ruleId: pulumi.Output<string>;
  /** `Authorized` once the rule lets connections in. */
  declare readonly status: pulumi.Output<string>;
  /** When the rule was created (ISO-8601). */
  declare readonly createdAt: pulumi.Output<string>;
  /** When the rule last changed (ISO-8601). */
  declare readonly updatedAt: pulumi.Output<string>;

  constructor(name: string, args: IpRuleArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      {
        acknowledgeWideCidr: undefined,
        adoptRuleId: undefined,
        ...args,
        resumeKey: resumeKey("IpRule", name),
        ruleId: undefined,
        status: undefined,
        createdAt: undefined,
        updatedAt: undefined,
      },
      opts,
      DYNAMIC_MODULE,
      "IpRule",
    );
  }
}
