import type { PolicyStatement } from "../../sdk/key-policy";

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
}

/** Everything stored in state: the inputs (delete and read need them) and what KMS reports. */
export interface CustomerKeyOutputs extends CustomerKeyInputs {
  keyId: string;
  arn: string;
  accountId: string;
  keyState: string;
  /** The key policy as KMS holds it (JSON text). */
  policy: string;
  aliasArn?: string;
}
