import type { DiffTable } from "../shared/diff-table";
import type { CustomerKeyOutputs } from "./types";

/**
 * Every CustomerKey field, once (docs/ARCHITECTURE.md, "The resources"). A key cannot move region; everything else is
 * an API call on the existing key. `policy` is compared against the policy the inputs ask for (diff in hooks.ts),
 * so an out-of-band policy edit shows as an update after refresh.
 */
export const CUSTOMER_KEY_DIFF_TABLE: DiffTable<keyof CustomerKeyOutputs> = {
  region: "replace",
  // Only create reads it: once adopted, keeping, changing or removing it changes nothing.
  adoptKeyId: "stored",
  removalPolicy: "update",
  adopted: "output",
  description: "update",
  alias: "update",
  enableKeyRotation: "update",
  rotationPeriodInDays: "update",
  deletionWindowInDays: "update",
  additionalPolicyStatements: "update",
  policy: "update",
  tags: "update",
  enabled: "update",
  acknowledgeDatabaseShutdown: "update",
  keyId: "output",
  arn: "output",
  accountId: "output",
  keyState: "output",
  aliasArn: "output",
};
