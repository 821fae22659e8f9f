import * as pulumi from "@pulumi/pulumi";
import { DYNAMIC_MODULE } from "./type-tokens";
import { resumeKey } from "./resume-key";
// Stored in state as a require of the installed package; see provider/shared/thin-provider.ts.
import provider = require("../provider/ip-allowlist/provider");

/** Per-operation wait limits, as durations like "20m". */
export interface IpAllowlistTimeouts {
  /** @default "20m" (authorizing takes minutes on Heroku) */
  create?: string;
  /** How long adding blocks to an existing allowlist waits. @default "20m" */
  update?: string;
  /** @default "10m" */
  delete?: string;
}

/** One allowed block of an {@link IpAllowlist}. */
export interface IpAllowlistEntryArgs {
  /** An IPv4 CIDR block such as `203.0.113.10/32` (octets 0-255, prefix 0-32, host bits zero). */
  cidr: pulumi.Input<string>;
  /**
   * A readable description, such as "Office IP". Heroku cannot change a rule, so changing it deletes the block's
   * rule and makes it again: access from that block pauses until the new rule is Authorized.
   */
  description: pulumi.Input<string>;
  /**
   * Confirms a wide block: `0.0.0.0/0` or any prefix shorter than /8 is refused without it.
   * @default false
   */
  acknowledgeWideCidr?: pulumi.Input<boolean>;
}

/** Arguments of an {@link IpAllowlist}. */
export interface IpAllowlistArgs {
  /**
   * The database (add-on name or id) whose mTLS allowlist this is; mTLS must be enabled first (make the allowlist
   * depend on the {@link MtlsConfig}). Changing this replaces the resource.
   */
  database: pulumi.Input<string>;
  /**
   * The allowed blocks, a set: each CIDR at most once, at most 60 per database. Adding a block posts its rule,
   * removing one deletes it; the preview names each block by its CIDR (`entries["203.0.113.0/24"]`).
   */
  entries: pulumi.Input<pulumi.Input<IpAllowlistEntryArgs>[]>;
  /**
   * Ids of existing rules to manage instead of creating them, by CIDR (`heroku data:mtls:ip-rules DATABASE`).
   * Read when the block is added: afterwards, changing or removing an id changes nothing.
   * @default new rules are created
   */
  adoptRuleIds?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * The IpRule resources (of this project and stack) whose rules this allowlist takes over, by CIDR: when a stack
   * moves from one IpRule per block to an allowlist, the allowlist takes each block's live rule instead of
   * deleting and re-creating it, and the removed IpRules' deletes in the same run leave those rules in place, so
   * no block's access pauses. Only the create reads it. See README, "Upgrading from separate IpRules".
   * @default nothing is taken over
   */
  supersedesIpRules?: Record<string, string>;
  /**
   * How long create, update and delete wait for Heroku.
   * @default { create: "20m", update: "20m", delete: "10m" }
   */
  timeouts?: pulumi.Input<IpAllowlistTimeouts>;
}

/**
 * Every allowlisted CIDR block of one database with mTLS, in one resource: missing rules are posted at once and
 * waited for together until `Authorized`, removed ones deleted. Use it instead of one {@link IpRule} per block
 * when a database allows many blocks: the whole allowlist waits out Heroku's authorization delay once.
 */
export class IpAllowlist extends pulumi.dynamic.Resource {
  /** The database, as given. */
  declare readonly database: pulumi.Output<string>;
  /** The blocks, by CIDR. */
  declare readonly entries: pulumi.Output<Record<string, { description: string; acknowledgeWideCidr?: boolean }>>;
  /** Heroku's rule of each block, by CIDR: its id, `status` (`Authorized` once it lets connections in) and times. */
  declare readonly rules: pulumi.Output<
    Record<string, { ruleId: string; status: string; createdAt: string; updatedAt: string }>
  >;
  /**
   * The database's mTLS endpoint status when the allowlist's create or update finished: `Operational`, since it
   * waits for the endpoint as well as its rules (rules let nobody in before). Refresh does not change it.
   */
  declare readonly mtlsStatus: pulumi.Output<string | undefined>;

  constructor(name: string, args: IpAllowlistArgs, opts?: pulumi.CustomResourceOptions) {
    const { supersedesIpRules, ...rest } = args;
    // The provider recognises an IpRule's rule by the marker its description carries: that rule's resume key.
    const supersedes = supersedesIpRules
      ? Object.fromEntries(
          Object.entries(supersedesIpRules).map(([cidr, ruleName]) => [cidr, resumeKey("IpRule", ruleName)]),
        )
      : undefined;
    super(
      provider,
      name,
      {
        adoptRuleIds: undefined,
        ...rest,
        supersedesIpRules: supersedes,
        resumeKey: resumeKey("IpAllowlist", name),
        rules: undefined,
        mtlsStatus: undefined,
      },
      opts,
      DYNAMIC_MODULE,
      "IpAllowlist",
    );
  }
}
