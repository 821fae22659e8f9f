import {
  CreateAliasCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  ListAliasesCommand,
  ListResourceTagsCommand,
  PutKeyPolicyCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateKeyDescriptionCommand,
  type KeyMetadata,
} from "@aws-sdk/client-kms";
import { buildKeyPolicy, type KeyPolicyDocument } from "./key-policy";
import { deepEqual, isRecord } from "../shared/equality";
import { isKmsNotFound, kmsClient } from "../kms/client";
import type { CustomerKeyInputs, CustomerKeyOutputs } from "./types";

/** What KMS says about a key now. */
export interface ObservedKey {
  metadata: KeyMetadata & { KeyId: string; Arn: string; AWSAccountId: string };
  policy: string;
  rotationEnabled: boolean;
  /** Undefined when KMS does not report it (older APIs, moto). */
  rotationPeriodInDays: number | undefined;
  aliases: string[];
  tags: Record<string, string>;
}

/** Undefined when the key does not exist or is pending deletion: either way it is gone for Pulumi. */
export async function observeKey(region: string, keyId: string): Promise<ObservedKey | undefined> {
  const kms = kmsClient(region);
  let metadata: KeyMetadata | undefined;
  try {
    metadata = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
  } catch (err) {
    if (isKmsNotFound(err)) return undefined;
    throw err;
  }
  if (!metadata?.KeyId || !metadata.Arn || !metadata.AWSAccountId) return undefined;
  if (metadata.KeyState === "PendingDeletion" || metadata.KeyState === "PendingReplicaDeletion") return undefined;
  const id = metadata.KeyId;
  const [policy, rotation, aliases, tags] = await Promise.all([
    kms.send(new GetKeyPolicyCommand({ KeyId: id, PolicyName: "default" })),
    kms.send(new GetKeyRotationStatusCommand({ KeyId: id })),
    kms.send(new ListAliasesCommand({ KeyId: id })),
    kms.send(new ListResourceTagsCommand({ KeyId: id })),
  ]);
  return {
    metadata: { ...metadata, KeyId: id, Arn: metadata.Arn, AWSAccountId: metadata.AWSAccountId },
    policy: policy.Policy ?? "{}",
    rotationEnabled: rotation.KeyRotationEnabled === true,
    rotationPeriodInDays: rotation.RotationPeriodInDays,
    aliases: (aliases.Aliases ?? []).flatMap((a) => (a.AliasName ? [a.AliasName] : [])),
    tags: Object.fromEntries((tags.Tags ?? []).flatMap((t) => (t.TagKey ? [[t.TagKey, t.TagValue ?? ""]] : []))),
  };
}

/**
 * The policy the inputs ask for. For an adopted key (`livePolicy` given) the owner's own statements are kept:
 * every live statement whose Sid this policy does not write (or that has no Sid) stays, after ours, so adopting a
 * key never drops a statement such as a key administrators' grant.
 */
export function desiredPolicy(
  accountId: string,
  inputs: CustomerKeyInputs,
  partition = "aws",
  livePolicy?: string,
): KeyPolicyDocument {
  const ours = buildKeyPolicy({ accountId, partition, additionalStatements: inputs.additionalPolicyStatements ?? [] });
  if (livePolicy === undefined) return ours;
  return { ...ours, Statement: [...ours.Statement, ...foreignStatements(livePolicy, ours)] };
}

/** The live policy's statements that `ours` does not write. */
export function foreignStatements(livePolicy: string, ours: KeyPolicyDocument): KeyPolicyDocument["Statement"] {
  const live = parsePolicy(livePolicy);
  const statements = isRecord(live) && Array.isArray(live.Statement) ? (live.Statement as unknown[]) : [];
  const ourSids = new Set(ours.Statement.map((st) => st.Sid).filter((sid) => sid !== undefined));
  return statements.filter(
    (st): st is KeyPolicyDocument["Statement"][number] =>
      isRecord(st) &&
      !(typeof st.Sid === "string" && ourSids.has(st.Sid)) &&
      !ours.Statement.some((o) => deepEqual(o, st)),
  );
}

/**
 * The inputs as they apply to an adopted key: a description or tags the inputs leave out are the owner's and stay
 * as KMS has them; declared tags are set over them.
 */
export function effectiveInputs(
  inputs: CustomerKeyInputs,
  observed: { description?: string; tags?: Record<string, string> },
  adopted: boolean,
): CustomerKeyInputs {
  if (!adopted) return inputs;
  return {
    ...inputs,
    description: inputs.description ?? observed.description,
    tags:
      inputs.tags === undefined && Object.keys(observed.tags ?? {}).length === 0
        ? inputs.tags
        : { ...(observed.tags ?? {}), ...(inputs.tags ?? {}) },
  };
}

export function parsePolicy(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * Makes the key match the inputs, one API call per difference. Enabling goes first and disabling last because
 * KMS refuses rotation changes on a disabled key. `managedAlias` is the alias this resource set before: only it
 * is removed or renamed; other aliases on the key are left alone.
 */
export async function reconcileKey(
  region: string,
  observed: ObservedKey,
  inputs: CustomerKeyInputs,
  managedAlias: string | undefined,
  adopted = false,
): Promise<void> {
  const kms = kmsClient(region);
  const KeyId = observed.metadata.KeyId;
  const isEnabled = observed.metadata.KeyState === "Enabled";
  inputs = effectiveInputs(inputs, { description: observed.metadata.Description, tags: observed.tags }, adopted);
  if (inputs.enabled !== false && !isEnabled) await kms.send(new EnableKeyCommand({ KeyId }));

  const policy = desiredPolicy(
    observed.metadata.AWSAccountId,
    inputs,
    partitionOf(observed.metadata.Arn),
    adopted ? observed.policy : undefined,
  );
  if (!deepEqual(parsePolicy(observed.policy), policy)) {
    await kms.send(new PutKeyPolicyCommand({ KeyId, PolicyName: "default", Policy: JSON.stringify(policy) }));
  }
  if ((observed.metadata.Description ?? "") !== (inputs.description ?? "")) {
    await kms.send(new UpdateKeyDescriptionCommand({ KeyId, Description: inputs.description ?? "" }));
  }
  if (inputs.enableKeyRotation === false) {
    if (observed.rotationEnabled) await kms.send(new DisableKeyRotationCommand({ KeyId }));
  } else {
    const period = inputs.rotationPeriodInDays;
    const periodDiffers = observed.rotationPeriodInDays !== undefined && observed.rotationPeriodInDays !== period;
    if (!observed.rotationEnabled || periodDiffers) {
      await kms.send(new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: period }));
    }
  }
  if (inputs.alias !== undefined && !observed.aliases.includes(inputs.alias)) {
    // CreateAlias fails with AlreadyExistsException when another key holds the alias: we never take it silently.
    await kms.send(new CreateAliasCommand({ AliasName: inputs.alias, TargetKeyId: KeyId }));
  }
  if (managedAlias !== undefined && managedAlias !== inputs.alias && observed.aliases.includes(managedAlias)) {
    await kms.send(new DeleteAliasCommand({ AliasName: managedAlias }));
  }
  const wantedTags = inputs.tags ?? {};
  const toTag = Object.entries(wantedTags).filter(([k, v]) => observed.tags[k] !== v);
  const toUntag = Object.keys(observed.tags).filter((k) => !(k in wantedTags));
  if (toTag.length > 0) {
    await kms.send(new TagResourceCommand({ KeyId, Tags: toTag.map(([TagKey, TagValue]) => ({ TagKey, TagValue })) }));
  }
  if (toUntag.length > 0) await kms.send(new UntagResourceCommand({ KeyId, TagKeys: toUntag }));

  if (inputs.enabled === false && isEnabled) await kms.send(new DisableKeyCommand({ KeyId }));
}

/**
 * The complete state from what KMS reports. Inputs KMS cannot report (deletion window, extra statements, the
 * acknowledgement, adoption) come from `stored`; those it does report are taken from KMS so refresh shows drift.
 */
export function toOutputs(
  region: string,
  observed: ObservedKey,
  stored: CustomerKeyInputs,
  adopted = false,
): CustomerKeyOutputs {
  const m = observed.metadata;
  const alias =
    stored.alias !== undefined && observed.aliases.includes(stored.alias)
      ? stored.alias
      : stored.alias === undefined
        ? undefined
        : observed.aliases[0];
  const hasTags = Object.keys(observed.tags).length > 0;
  const out: CustomerKeyOutputs = {
    region,
    description: m.Description ? m.Description : stored.description === undefined && !adopted ? undefined : "",
    alias,
    enableKeyRotation: observed.rotationEnabled,
    rotationPeriodInDays: observed.rotationEnabled
      ? (observed.rotationPeriodInDays ?? stored.rotationPeriodInDays)
      : undefined,
    deletionWindowInDays: stored.deletionWindowInDays,
    additionalPolicyStatements: stored.additionalPolicyStatements,
    tags: hasTags || stored.tags !== undefined ? observed.tags : undefined,
    enabled: m.KeyState === "Enabled" ? true : m.KeyState === "Disabled" ? false : stored.enabled,
    acknowledgeDatabaseShutdown: stored.acknowledgeDatabaseShutdown,
    adoptKeyId: stored.adoptKeyId,
    removalPolicy: stored.removalPolicy,
    ...(adopted ? { adopted: true } : {}),
    keyId: m.KeyId,
    arn: m.Arn,
    accountId: m.AWSAccountId,
    keyState: m.KeyState ?? "Unknown",
    policy: observed.policy,
    aliasArn: alias === undefined ? undefined : `arn:${partitionOf(m.Arn)}:kms:${region}:${m.AWSAccountId}:${alias}`,
  };
  return dropUndefined(out);
}

export function partitionOf(arn: string): string {
  return arn.split(":")[1] ?? "aws";
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
