import type { PolicyStatement } from "./key-policy";

/** The plain inputs the provider receives (sdk/customer-key.ts has the documented pulumi.Input version). */
export interface CustomerKeyInputs {
  region?: string;
  description?: string;
  alias?: string;
  enableKeyRotation?: boolean;
  rotationPeriodInDays?: number;
  deletionWindowInDays?: number;
  additionalPolicyStatements?: PolicyStatement[];
  tags?: Record<string, string>;
  enabled?: boolean;
  acknowledgeDatabaseShutdown?: boolean;
  adoptKeyId?: string;
  /**
   * What deleting or replacing the resource does to the key: `retain` (the default) leaves it in KMS untouched;
   * `schedule-deletion` schedules its deletion after deletionWindowInDays.
   */
  removalPolicy?: RemovalPolicy;
}

/** As AWS CDK's RemovalPolicy for kms.Key, whose default is RETAIN. */
export type RemovalPolicy = "retain" | "schedule-deletion";

/** Everything stored in state: the inputs (delete and read need them) and what KMS reports. */
export interface CustomerKeyOutputs extends CustomerKeyInputs {
  keyId: string;
  arn: string;
  accountId: string;
  keyState: string;
  /** The key policy as KMS holds it (JSON text). */
  policy: string;
  aliasArn?: string;
  /**
   * The key existed before this resource (adoptKeyId): policy statements and a description or tags that the
   * inputs do not declare are the owner's and are kept. Stays true when adoptKeyId is removed later.
   */
  adopted?: boolean;
}
