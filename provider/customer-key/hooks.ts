import { CreateKeyCommand, DeleteAliasCommand, ScheduleKeyDeletionCommand } from "@aws-sdk/client-kms";
import { diffFromTable, inputFields, type TableDiff } from "../shared/diff-table";
import type { CheckFailure } from "../shared/check";
import { messageOf, ProviderError, withContext } from "../shared/errors";
import { containsUnknown, UNKNOWN } from "../shared/unknown";
import { isKmsNotFound, kmsClient, regionFor } from "../kms/client";
import { CUSTOMER_KEY_DIFF_TABLE } from "./diff-table";
import { desiredPolicy, observeKey, parsePolicy, partitionOf, reconcileKey, toOutputs } from "./kms-state";
import type { CustomerKeyInputs, CustomerKeyOutputs } from "./types";
import { MIN_DELETION_WINDOW_DAYS, validateCustomerKey } from "./validation";

/**
 * CustomerKey: a symmetric KMS key Heroku Postgres may use (seed 004). The thin provider in provider.ts
 * requires this module and calls these functions.
 */

export async function check(
  _olds: unknown,
  news: Record<string, unknown>,
): Promise<{ inputs: CustomerKeyInputs; failures: CheckFailure[] }> {
  return validateCustomerKey(news, process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION);
}

export async function diff(_id: string, olds: CustomerKeyOutputs, news: CustomerKeyInputs): Promise<TableDiff> {
  // The policy is compared as a document: the one these inputs ask for against the one KMS held at the last
  // create/update/refresh, so an out-of-band edit shows as an update.
  const wanted =
    olds.accountId && !containsUnknown(news.additionalPolicyStatements)
      ? desiredPolicy(olds.accountId, news, partitionOf(olds.arn))
      : UNKNOWN;
  return diffFromTable(
    CUSTOMER_KEY_DIFF_TABLE,
    { ...olds, policy: parsePolicy(olds.policy) } as Record<string, unknown>,
    { ...news, policy: wanted } as Record<string, unknown>,
  );
}

export async function create(inputs: CustomerKeyInputs): Promise<{ id: string; outs: CustomerKeyOutputs }> {
  const region = regionFor(inputs.adoptKeyId, inputs.region);
  return withContext(`creating CustomerKey${inputs.alias ? ` ${inputs.alias}` : ""} in ${region}`, async () => {
    const keyId = inputs.adoptKeyId ? await adoptable(region, inputs.adoptKeyId) : await createKey(region, inputs);
    try {
      const observed = await mustObserve(region, keyId);
      await reconcileKey(region, observed, inputs, undefined);
    } catch (err) {
      // A key we just made but could not configure would linger unusable; schedule it away (never an adopted one).
      if (!inputs.adoptKeyId) await discardNewKey(region, keyId, inputs.alias, err);
      throw err;
    }
    const outs = toOutputs(region, await mustObserve(region, keyId), inputs);
    return { id: outs.keyId, outs };
  });
}

export async function read(
  id: string,
  props: CustomerKeyOutputs,
): Promise<{ id?: string; props?: CustomerKeyOutputs; inputs?: CustomerKeyInputs }> {
  const region = regionFor(props.arn, props.region);
  return withContext(`reading CustomerKey ${id}`, async () => {
    const observed = await observeKey(region, id);
    if (!observed) return {};
    const outs = toOutputs(region, observed, props);
    return { id, props: outs, inputs: pickInputs(outs) };
  });
}

export async function update(
  id: string,
  olds: CustomerKeyOutputs,
  news: CustomerKeyInputs,
): Promise<{ outs: CustomerKeyOutputs }> {
  const region = regionFor(olds.arn, olds.region);
  return withContext(`updating CustomerKey ${id}`, async () => {
    await reconcileKey(region, await mustObserve(region, id), news, olds.alias);
    return { outs: toOutputs(region, await mustObserve(region, id), news) };
  });
}

/** Never deletes at once: KMS keeps the key for the deletion window, during which it can be restored. */
export async function remove(id: string, props: CustomerKeyOutputs): Promise<void> {
  const region = regionFor(props.arn, props.region);
  await withContext(`deleting CustomerKey ${id}`, async () => {
    if (props.alias) {
      // Free the alias now so a new key can take it; the key itself stays restorable for the window.
      await kmsClient(region)
        .send(new DeleteAliasCommand({ AliasName: props.alias }))
        .catch((err: unknown) => {
          if (!isKmsNotFound(err)) throw err;
        });
    }
    await scheduleDeletion(region, id, props.deletionWindowInDays ?? 30);
  });
}
export { remove as delete };

async function createKey(region: string, inputs: CustomerKeyInputs): Promise<string> {
  // Symmetric, single-Region: S3 backups need a symmetric key and Heroku refuses multi-Region keys (seed 004).
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

function pickInputs(outs: CustomerKeyOutputs): CustomerKeyInputs {
  const fields = new Set(inputFields(CUSTOMER_KEY_DIFF_TABLE));
  fields.delete("policy");
  return Object.fromEntries(Object.entries(outs).filter(([k]) => fields.has(k))) as CustomerKeyInputs;
}
