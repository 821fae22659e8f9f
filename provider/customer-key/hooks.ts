import { CreateKeyCommand, DeleteAliasCommand, ScheduleKeyDeletionCommand } from "@aws-sdk/client-kms";
import { diffFromTable, inputsOf, type TableDiff } from "../shared/diff-table";
import { asReported, type CheckFailure } from "../shared/check";
import { messageOf, ProviderError, withContext } from "../shared/errors";
import { containsUnknown, UNKNOWN } from "../shared/unknown";
import { claim, claimedBy, identityOf, keptMessage } from "../shared/claims";
import { isKmsNotFound, kmsClient, parseKeyArn, regionFor } from "../kms/client";
import { CUSTOMER_KEY_DIFF_TABLE } from "./diff-table";
import {
  desiredPolicy,
  effectiveInputs,
  observeKey,
  parsePolicy,
  partitionOf,
  reconcileKey,
  toOutputs,
} from "./kms-state";
import type { CustomerKeyInputs, CustomerKeyOutputs } from "./types";
import {
  DEFAULT_DELETION_WINDOW_DAYS,
  DEFAULT_REMOVAL_POLICY,
  MIN_DELETION_WINDOW_DAYS,
  validateCustomerKey,
} from "./validation";

/**
 * CustomerKey: a symmetric KMS key Heroku Postgres may use (Dev Center's BYOK article (docs/heroku-api.md)). The thin provider in provider.ts
 * requires this module and calls these functions.
 */

export async function check(
  olds: object | undefined,
  news: Record<string, unknown>,
): Promise<{ inputs: CustomerKeyInputs; failures: CheckFailure[] }> {
  const region = (olds as { region?: unknown } | undefined)?.region;
  const stored = typeof region === "string" ? region : undefined;
  const checked = validateCustomerKey(news, process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION, stored);
  return { ...checked, failures: asReported(checked.failures) };
}

export async function diff(_id: string, olds: CustomerKeyOutputs, news: CustomerKeyInputs): Promise<TableDiff> {
  // The policy is compared as a document: the one these inputs ask for against the one KMS held at the last
  // create/update/refresh, so an out-of-band edit shows as an update. An adopted key keeps its owner's
  // statements, description and tags (kms-state.ts effectiveInputs), so only what the inputs declare differs.
  const adopted = olds.adopted === true;
  const effective = effectiveInputs(news, { description: olds.description, tags: olds.tags }, adopted);
  const wanted =
    olds.accountId && !containsUnknown(news.additionalPolicyStatements)
      ? desiredPolicy(olds.accountId, effective, partitionOf(olds.arn), adopted ? olds.policy : undefined)
      : UNKNOWN;
  return diffFromTable(
    CUSTOMER_KEY_DIFF_TABLE,
    { ...olds, policy: parsePolicy(olds.policy) } as Record<string, unknown>,
    { ...effective, policy: wanted } as Record<string, unknown>,
  );
}

export async function create(inputs: CustomerKeyInputs): Promise<{ id: string; outs: CustomerKeyOutputs }> {
  const region = regionFor(inputs.adoptKeyId, inputs.region);
  return withContext(`creating CustomerKey${inputs.alias ? ` ${inputs.alias}` : ""} in ${region}`, async () => {
    if (inputs.adoptKeyId) {
      // Adoption is a read-only takeover, like `pulumi import`: the key is recorded as KMS has it, and the next
      // preview shows each difference from the inputs as an update to review before anything is changed.
      const keyId = await adoptable(region, inputs.adoptKeyId);
      const observed = await mustObserve(region, keyId);
      claim(`CustomerKey (adopted ${keyId})`, identityOf("kms-key", observed.metadata.Arn));
      const outs = toOutputs(region, observed, adoptedRecord(inputs, observed), true);
      return { id: outs.arn, outs };
    }
    const keyId = await createKey(region, inputs);
    try {
      const observed = await mustObserve(region, keyId);
      await reconcileKey(region, observed, inputs, undefined);
    } catch (err) {
      // A key we just made but could not configure would linger unusable; schedule it away.
      await discardNewKey(region, keyId, inputs.alias, err);
      throw err;
    }
    const outs = toOutputs(region, await mustObserve(region, keyId), inputs);
    return { id: outs.arn, outs };
  });
}

export async function read(
  id: string,
  props: CustomerKeyOutputs,
): Promise<{ id?: string; props?: CustomerKeyOutputs; inputs?: CustomerKeyInputs }> {
  const region = regionFor(props.arn, props.region);
  return withContext(`reading CustomerKey ${id}`, async () => {
    const observed = await observeKey(region, keyIdOf(id));
    if (!observed) return {};
    const outs = toOutputs(region, observed, props, props.adopted === true);
    // The id is the key ARN, so the resources that use the key can take it from the id, which Pulumi keeps known
    // while the key updates in place. A key made before that has its key id as id; a refresh moves it to the ARN.
    return {
      id: outs.arn,
      props: outs,
      inputs: inputsOf<CustomerKeyInputs>(CUSTOMER_KEY_DIFF_TABLE, outs, ["policy"]),
    };
  });
}

export async function update(
  id: string,
  olds: CustomerKeyOutputs,
  news: CustomerKeyInputs,
): Promise<{ outs: CustomerKeyOutputs }> {
  const region = regionFor(olds.arn, olds.region);
  return withContext(`updating CustomerKey ${id}`, async () => {
    const adopted = olds.adopted === true;
    await reconcileKey(region, await mustObserve(region, keyIdOf(id)), news, olds.alias, adopted);
    return { outs: toOutputs(region, await mustObserve(region, keyIdOf(id)), news, adopted) };
  });
}

/**
 * A key leaves KMS only when the program asks for it (removalPolicy: "schedule-deletion"), and then by scheduled
 * deletion, never at once: AWS CDK's RETAIN default for kms.Key. Otherwise the key, its alias and its policy stay
 * exactly as they are and only the stack forgets it, so a rename, a replacement or a removal never takes a
 * database down.
 */
export async function remove(id: string, props: CustomerKeyOutputs): Promise<void> {
  const region = regionFor(props.arn, props.region);
  await withContext(`deleting CustomerKey ${id}`, async () => {
    const holder = props.arn ? claimedBy(identityOf("kms-key", props.arn)) : undefined;
    if (holder) {
      process.stderr.write(keptMessage(`KMS key ${id}`, holder));
      return;
    }
    const policy = props.removalPolicy ?? DEFAULT_REMOVAL_POLICY;
    if (policy === "retain") {
      process.stderr.write(
        `KMS key ${props.arn ?? id} was left in KMS (removalPolicy "retain"): every database encrypted with it keeps ` +
          `working. To delete it, set removalPolicy: "schedule-deletion" before removing the resource, or run ` +
          `aws kms schedule-key-deletion --key-id ${id}.\n`,
      );
      return;
    }
    if (props.alias) {
      // Free the alias now so a new key can take it; the key itself stays restorable for the window.
      await kmsClient(region)
        .send(new DeleteAliasCommand({ AliasName: props.alias }))
        .catch((err: unknown) => {
          if (!isKmsNotFound(err)) throw err;
        });
    }
    const days = props.deletionWindowInDays ?? DEFAULT_DELETION_WINDOW_DAYS;
    await scheduleDeletion(region, keyIdOf(id), days);
    process.stderr.write(
      `KMS key ${props.arn ?? id} is scheduled for deletion in ${days} days (removalPolicy "schedule-deletion"). ` +
        `Every Heroku Postgres database encrypted with it becomes unavailable once the key is disabled or deleted; ` +
        `aws kms cancel-key-deletion --key-id ${id} undoes it within the window.\n`,
    );
  });
}
export { remove as delete };

async function createKey(region: string, inputs: CustomerKeyInputs): Promise<string> {
  // Symmetric, single-Region: S3 backups need a symmetric key and Heroku refuses multi-Region keys (Dev Center's BYOK article (docs/heroku-api.md)).
  // KMS's default policy (account root) comes first; reconcileKey then writes the full policy, because the
  // policy names the account, which we only learn from the key's ARN.
  const res = await kmsClient(region).send(
    new CreateKeyCommand({
      Description: inputs.description,
      KeySpec: "SYMMETRIC_DEFAULT",
      KeyUsage: "ENCRYPT_DECRYPT",
      MultiRegion: false,
      Tags: Object.entries(inputs.tags ?? {}).map(([TagKey, TagValue]) => ({ TagKey, TagValue })),
    }),
  );
  const keyId = res.KeyMetadata?.KeyId;
  if (!keyId) throw new ProviderError("KMS CreateKey answered without a key id");
  return keyId;
}

/**
 * Schedules the deletion of a key this create made and frees the alias it may already hold, so the next
 * `pulumi up` can make the key again under the same alias. When KMS refuses that too (a throttling storm), the
 * error names the key left behind, because Pulumi's state will not hold it.
 */
async function discardNewKey(region: string, keyId: string, alias: string | undefined, cause: unknown): Promise<void> {
  try {
    if (alias) {
      const observed = await observeKey(region, keyId);
      if (observed?.aliases.includes(alias)) {
        await kmsClient(region).send(new DeleteAliasCommand({ AliasName: alias }));
      }
    }
    await scheduleDeletion(region, keyId, MIN_DELETION_WINDOW_DAYS);
  } catch (cleanup) {
    throw new ProviderError(
      `${messageOf(cause)}. The key ${keyId} this create made could not be scheduled for deletion either ` +
        `(${messageOf(cleanup)}); Pulumi does not track it. Set adoptKeyId: "${keyId}" to take it over, or ` +
        `delete it with aws kms schedule-key-deletion --key-id ${keyId}${alias ? ` (and aws kms delete-alias --alias-name ${alias})` : ""}`,
    );
  }
}

async function adoptable(region: string, adoptKeyId: string): Promise<string> {
  const observed = await observeKey(region, adoptKeyId);
  if (!observed) {
    throw new ProviderError(
      `adoptKeyId ${adoptKeyId} does not exist in ${region} or is pending deletion; cancel the deletion or pick another key`,
    );
  }
  const m = observed.metadata;
  if (m.MultiRegion)
    throw new ProviderError(`adoptKeyId ${adoptKeyId} is a multi-Region key, which Heroku Postgres does not support`);
  if (m.KeySpec !== undefined && m.KeySpec !== "SYMMETRIC_DEFAULT") {
    throw new ProviderError(
      `adoptKeyId ${adoptKeyId} has key spec ${m.KeySpec}; Heroku Postgres needs SYMMETRIC_DEFAULT`,
    );
  }
  if (m.KeyUsage !== undefined && m.KeyUsage !== "ENCRYPT_DECRYPT") {
    throw new ProviderError(
      `adoptKeyId ${adoptKeyId} has key usage ${m.KeyUsage}; Heroku Postgres needs ENCRYPT_DECRYPT`,
    );
  }
  return m.KeyId;
}

async function mustObserve(
  region: string,
  keyId: string,
): Promise<NonNullable<Awaited<ReturnType<typeof observeKey>>>> {
  const observed = await observeKey(region, keyId);
  if (!observed) throw new ProviderError(`key ${keyId} in ${region} no longer exists or is pending deletion`);
  return observed;
}

async function scheduleDeletion(region: string, keyId: string, days: number): Promise<void> {
  const kms = kmsClient(region);
  const observed = await observeKey(region, keyId);
  if (!observed) return; // already gone or already pending deletion
  try {
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: days }));
  } catch (err) {
    if (isKmsNotFound(err)) return;
    throw err;
  }
}

/**
 * The inputs recorded for an adopted key: what the program declares, with the key's own rotation, enabled state
 * and alias where KMS has them, so the stored state is the key as it is and the next diff shows the rest.
 */
function adoptedRecord(
  inputs: CustomerKeyInputs,
  observed: NonNullable<Awaited<ReturnType<typeof observeKey>>>,
): CustomerKeyInputs {
  return {
    ...inputs,
    alias:
      inputs.alias === undefined
        ? undefined
        : observed.aliases.includes(inputs.alias)
          ? inputs.alias
          : observed.aliases[0],
  };
}

/** The key id in a resource id: the ARN's last part (ids are ARNs), or the id itself (keys made before). */
function keyIdOf(id: string): string {
  return parseKeyArn(id)?.keyId ?? id;
}
