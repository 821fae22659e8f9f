import type { DatabaseIdentity } from "../shared/database-ref";
import type { Timeouts } from "../shared/timeouts";

/** One allowed block as the program declares it (the sdk class has the documented pulumi.Input version). */
export interface IpAllowlistEntryInput {
  cidr: string;
  description: string;
  /** Required to allow 0.0.0.0/0 or any prefix shorter than WIDE_CIDR_MIN_PREFIX (ip-rule/validation.ts). */
  acknowledgeWideCidr?: boolean;
}

/** One allowed block as stored, under its CIDR. */
export interface IpAllowlistEntry {
  description: string;
  acknowledgeWideCidr?: boolean;
}

/**
 * The plain inputs the provider receives after `check`. The program gives `entries` as a list; check keys it by
 * CIDR, so the engine's diff (which `pulumi preview --diff` prints) names each block that is added, removed or
 * changed by its CIDR, not by a position that shifts when one entry is removed.
 */
export interface IpAllowlistInputs extends DatabaseIdentity {
  /** Set by the sdk class (sdk/resume-key.ts): lets `create` recognise what an interrupted run made. */
  resumeKey?: string;
  /** The Postgres add-on's name or id (docs/heroku-api.md 0: `{db}` accepts both). */
  database: string;
  entries: Record<string, IpAllowlistEntry>;
  /** Ids of existing rules to take over, by CIDR; read when the entry is added. */
  adoptRuleIds?: Record<string, string>;
  /**
   * The IpRule resources whose rules this allowlist takes over, by CIDR: their resume keys, which the sdk class
   * derives from the names it is given (SecurePostgres made one IpRule per block before it used an allowlist;
   * see README, "Upgrading from separate IpRules").
   */
  supersedesIpRules?: Record<string, string>;
  timeouts?: Timeouts;
}

/** What the Data API reports for one rule of the allowlist. */
export interface IpAllowlistRule {
  ruleId: string;
  /** `Authorizing` or `Authorized` (docs/heroku-api.md 1.3). */
  status: string;
  /** ISO-8601, whichever of the two wire formats the API used. */
  createdAt: string;
  updatedAt: string;
}

/** Everything stored in state: the inputs (read and delete need them) and each rule, by CIDR. */
export interface IpAllowlistOutputs extends IpAllowlistInputs {
  rules: Record<string, IpAllowlistRule>;
  /** The mTLS endpoint's status when the allowlist last waited for it: `Operational` once usable. */
  mtlsStatus?: string;
}
