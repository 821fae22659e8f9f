import { RESERVED_STATEMENT_SIDS } from "./key-policy";
import { parseKeyArn } from "../kms/arn";
import { type CheckFailure, echo, Failures, isUnknown } from "../shared/check";
import { isRecord } from "../shared/equality";
import type { CustomerKeyInputs, RemovalPolicy } from "./types";

// Limits from the AWS KMS API reference (CreateKey, EnableKeyRotation, ScheduleKeyDeletion, CreateAlias,
// TagResource); each is used by its check and quoted by its message.
export const MIN_ROTATION_PERIOD_DAYS = 90;
export const MAX_ROTATION_PERIOD_DAYS = 2560;
export const DEFAULT_ROTATION_PERIOD_DAYS = 365;
export const MIN_DELETION_WINDOW_DAYS = 7;
export const MAX_DELETION_WINDOW_DAYS = 30;
export const DEFAULT_DELETION_WINDOW_DAYS = 30;
export const MAX_DESCRIPTION_LENGTH = 8192;
export const ALIAS_PREFIX = "alias/";
export const RESERVED_ALIAS_PREFIX = "alias/aws/";
export const MAX_ALIAS_LENGTH = 256;
export const MAX_TAGS = 50;
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 256;
export const RESERVED_TAG_PREFIX = "aws:";

const ALIAS_NAME = /^alias\/[a-zA-Z0-9/_-]+$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
/** What deleting the resource may do to the key; the first is the default (AWS CDK's RETAIN for kms.Key). */
export const REMOVAL_POLICIES: readonly RemovalPolicy[] = ["retain", "schedule-deletion"];
export const DEFAULT_REMOVAL_POLICY: RemovalPolicy = "retain";

const KEY_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The pure part of `check`: defaults applied, every rule checked, no API call. Unknown values (preview) pass.
 * `region` falls back to the region stored at creation, then to AWS_REGION (read by the caller), so that the
 * stored input never changes by itself.
 */
export function validateCustomerKey(
  raw: Record<string, unknown>,
  defaultRegion: string | undefined,
  storedRegion?: string,
): { inputs: CustomerKeyInputs; failures: CheckFailure[] } {
  const f = new Failures();
  const inputs = { ...raw } as Record<string, unknown>;
  const adoptArn = typeof raw.adoptKeyId === "string" ? parseKeyArn(raw.adoptKeyId) : undefined;

  // A key never moves: once created, an absent region keeps the one it was created in, whatever AWS_REGION says
  // in the environment of a later run.
  inputs.region ??= adoptArn?.region ?? storedRegion ?? defaultRegion;
  // An undefined value cannot cross the provider's gRPC boundary (protobuf's Struct refuses it), which would hide
  // the failure below behind "Unexpected struct type".
  if (inputs.region === undefined) delete inputs.region;
  inputs.enableKeyRotation ??= true;
  if (inputs.enableKeyRotation === true) inputs.rotationPeriodInDays ??= DEFAULT_ROTATION_PERIOD_DAYS;
  inputs.deletionWindowInDays ??= DEFAULT_DELETION_WINDOW_DAYS;
  inputs.enabled ??= true;

  if (inputs.region === undefined) {
    f.add("region", "region is required when AWS_REGION is not set in the environment that runs pulumi");
  } else if (f.requiredString("region", inputs.region) && !isUnknown(inputs.region) && !REGION.test(inputs.region)) {
    f.add("region", `region must be an AWS region name like us-east-1, got ${echo(inputs.region)}`);
  }

  if (f.optionalString("description", inputs.description) && typeof inputs.description === "string") {
    if (inputs.description.length > MAX_DESCRIPTION_LENGTH) {
      f.add(
        "description",
        `description must be at most ${MAX_DESCRIPTION_LENGTH} characters, got ${inputs.description.length}`,
      );
    }
  }

  checkAlias(f, inputs.alias);

  f.optionalBoolean("enableKeyRotation", inputs.enableKeyRotation);
  f.optionalIntegerInRange(
    "rotationPeriodInDays",
    inputs.rotationPeriodInDays,
    MIN_ROTATION_PERIOD_DAYS,
    MAX_ROTATION_PERIOD_DAYS,
    "days",
  );
  if (inputs.enableKeyRotation === false && inputs.rotationPeriodInDays !== undefined) {
    f.add(
      "rotationPeriodInDays",
      "rotationPeriodInDays applies only when enableKeyRotation is true; remove it or enable rotation",
    );
  }
  f.optionalIntegerInRange(
    "deletionWindowInDays",
    inputs.deletionWindowInDays,
    MIN_DELETION_WINDOW_DAYS,
    MAX_DELETION_WINDOW_DAYS,
    "days",
  );

  checkStatements(f, inputs.additionalPolicyStatements);
  checkTags(f, inputs.tags);

  f.optionalBoolean("acknowledgeDatabaseShutdown", inputs.acknowledgeDatabaseShutdown);
  if (
    f.optionalBoolean("enabled", inputs.enabled) &&
    inputs.enabled === false &&
    inputs.acknowledgeDatabaseShutdown !== true
  ) {
    // Dev Center's BYOK article (docs/heroku-api.md), "Disabling your encryption key": every database using the key is shut down about 20 minutes later.
    f.add(
      "enabled",
      "enabled: false disables the key, which shuts down every Heroku Postgres database encrypted with it; set acknowledgeDatabaseShutdown: true to confirm",
    );
  }

  checkAdoptKeyId(f, inputs.adoptKeyId, inputs.region);
  const policy = inputs.removalPolicy;
  if (policy !== undefined && !isUnknown(policy) && !(REMOVAL_POLICIES as readonly unknown[]).includes(policy)) {
    f.add(
      "removalPolicy",
      `removalPolicy must be one of ${REMOVAL_POLICIES.map((p) => JSON.stringify(p)).join(", ")}, got ${echo(policy)}`,
    );
  }
  return { inputs: inputs as CustomerKeyInputs, failures: f.list };
}

function checkAlias(f: Failures, alias: unknown): void {
  if (!f.optionalString("alias", alias) || typeof alias !== "string" || isUnknown(alias)) return;
  if (!alias.startsWith(ALIAS_PREFIX)) {
    f.add("alias", `alias must start with "${ALIAS_PREFIX}", got ${echo(alias)}`);
  } else if (alias.startsWith(RESERVED_ALIAS_PREFIX)) {
    f.add("alias", `alias must not start with "${RESERVED_ALIAS_PREFIX}", which AWS reserves for its own keys`);
  } else if (alias.length > MAX_ALIAS_LENGTH) {
    f.add("alias", `alias must be at most ${MAX_ALIAS_LENGTH} characters, got ${alias.length}`);
  } else if (!ALIAS_NAME.test(alias)) {
    f.add(
      "alias",
      `alias may contain only letters, digits, "/", "_" and "-" after "${ALIAS_PREFIX}", got ${echo(alias)}`,
    );
  }
}

function checkStatements(f: Failures, statements: unknown): void {
  if (statements === undefined || isUnknown(statements)) return;
  if (!Array.isArray(statements)) {
    f.add("additionalPolicyStatements", "additionalPolicyStatements must be a list of IAM policy statements");
    return;
  }
  statements.forEach((statement: unknown, i) => {
    const property = `additionalPolicyStatements[${i}]`;
    if (isUnknown(statement)) return;
    if (!isRecord(statement)) {
      f.add(property, `${property} must be an IAM policy statement object`);
      return;
    }
    if (statement.Effect !== "Allow" && statement.Effect !== "Deny" && !isUnknown(statement.Effect)) {
      f.add(`${property}.Effect`, `${property}.Effect must be "Allow" or "Deny"`);
    }
    if (statement.Action === undefined && statement.NotAction === undefined) {
      f.add(`${property}.Action`, `${property} needs Action or NotAction`);
    }
    if (typeof statement.Sid === "string" && RESERVED_STATEMENT_SIDS.includes(statement.Sid)) {
      f.add(
        `${property}.Sid`,
        `${property}.Sid ${JSON.stringify(statement.Sid)} is reserved for the statements CustomerKey writes itself`,
      );
    }
  });
}

function checkTags(f: Failures, tags: unknown): void {
  if (tags === undefined || isUnknown(tags)) return;
  if (!isRecord(tags)) {
    f.add("tags", "tags must be an object of string keys and string values");
    return;
  }
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) f.add("tags", `tags may hold at most ${MAX_TAGS} entries, got ${entries.length}`);
  for (const [key, value] of entries) {
    const property = `tags.${key}`;
    if (key.length === 0 || key.length > MAX_TAG_KEY_LENGTH) {
      f.add(property, `tag keys must be 1 to ${MAX_TAG_KEY_LENGTH} characters, got ${key.length}`);
    } else if (key.toLowerCase().startsWith(RESERVED_TAG_PREFIX)) {
      f.add(property, `tag keys must not start with "${RESERVED_TAG_PREFIX}", which AWS reserves`);
    }
    if (isUnknown(value)) continue;
    if (typeof value !== "string") f.add(property, `${property} must be a string`);
    else if (value.length > MAX_TAG_VALUE_LENGTH) {
      f.add(property, `${property} must be at most ${MAX_TAG_VALUE_LENGTH} characters, got ${value.length}`);
    }
  }
}

function checkAdoptKeyId(f: Failures, adoptKeyId: unknown, region: unknown): void {
  if (!f.optionalString("adoptKeyId", adoptKeyId) || typeof adoptKeyId !== "string" || isUnknown(adoptKeyId)) return;
  const arn = parseKeyArn(adoptKeyId);
  const keyId = arn ? arn.keyId : adoptKeyId;
  if (keyId?.startsWith("mrk-")) {
    // Dev Center's BYOK article (docs/heroku-api.md), "Limitations": multi-Region keys aren't supported.
    f.add("adoptKeyId", "adoptKeyId names a multi-Region key (mrk-...), which Heroku Postgres does not support");
  } else if (!keyId || !KEY_UUID.test(keyId)) {
    f.add("adoptKeyId", `adoptKeyId must be a KMS key id (a UUID) or key ARN, got ${echo(adoptKeyId)}`);
  } else if (arn && typeof region === "string" && !isUnknown(region) && arn.region !== region) {
    f.add("adoptKeyId", `adoptKeyId is a key in ${arn.region} but region is ${region}; they must match`);
  }
}
