import type { DatabaseIdentity } from "../shared/database-ref";
import type { Timeouts } from "../shared/timeouts";

/** The plain inputs the provider receives (the sdk class has the documented pulumi.Input version). */
export interface IpRuleInputs extends DatabaseIdentity {
  /** Set by the sdk class (sdk/resume-key.ts): lets `create` recognise what an interrupted run made. */
  resumeKey?: string;
  /** The Postgres add-on's name or id (docs/heroku-api.md 0: `{db}` accepts both). */
  database: string;
  cidr: string;
  description: string;
  /** Required to allow 0.0.0.0/0 or any prefix shorter than WIDE_CIDR_MIN_PREFIX. */
  acknowledgeWideCidr?: boolean;
  /** The id of an existing rule that `create` adopts instead of creating one. */
  adoptRuleId?: string;
  timeouts?: Timeouts;
}

/** Everything stored in state: the inputs (read and delete need them) and what the Data API reports. */
export interface IpRuleOutputs extends IpRuleInputs {
  ruleId: string;
  /** `Authorizing` or `Authorized` (docs/heroku-api.md 1.3). */
  status: string;
  /** ISO-8601, whichever of the two wire formats the API used. */
  createdAt: string;
  updatedAt: string;
}
