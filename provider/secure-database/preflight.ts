import { DescribeKeyCommand } from "@aws-sdk/client-kms";
import { type App, getSpace } from "../heroku/apps";
import { appFacts, mtlsFacts, postgresPlanNames } from "../heroku/facts";
import { absentProblem, type CheckFailure, isUnknown } from "../shared/check";
import { ProviderError } from "../shared/errors";
import { isKmsNotFound, kmsClient, parseKeyArn } from "../kms/client";
import { getDatabase, infoRow } from "../heroku/databases";
import { isNotFound } from "../heroku/errors";
import type { SecureDatabaseInputs } from "./types";
import {
  addonNameOf,
  checkDatabaseApp,
  checkEnhancedCertificatesWithMtls,
  checkPlanListed,
  type DatabaseAppFacts,
  ENCRYPTION_KEY_PLAN_TIERS,
  expectedKeyRegion,
  followerKeyProblem,
  keyRegion,
  planTier,
} from "./validation";

/**
 * The rules Heroku's read-only API can decide, at preview: the app exists and is visible, the plan is one Heroku
 * lists, the plan fits the app's space and generation, the key is in the space's region. Only what is new or
 * changed is looked up (a deployed database's facts were checked when it was made), so a no-change preview asks
 * nothing. Lookups that cannot answer leave the rule to `preflight` at `up`.
 */
export async function checkWithHeroku(
  olds: Record<string, unknown> | undefined,
  inputs: SecureDatabaseInputs,
): Promise<CheckFailure[]> {
  const known = (v: unknown): v is string => typeof v === "string" && !isUnknown(v);
  if (!known(inputs.app) || !known(inputs.plan)) return [];
  const changed = (field: keyof SecureDatabaseInputs): boolean => !olds || olds[field] !== inputs[field];
  const failures: CheckFailure[] = [];
  if (changed("plan")) {
    const plans = await postgresPlanNames();
    if (plans.kind === "found") failures.push(...checkPlanListed(inputs.plan, plans.value));
  }
  // The declared region only matters while the ARN is unknown (and a deployed stack's ARN is known).
  const regionChanged = changed("encryptionKeyRegion") && !known(inputs.encryptionKeyArn);
  if (changed("app") || changed("plan") || changed("encryptionKeyArn") || regionChanged) {
    const app = await appFacts(inputs.app);
    if (app.kind === "absent")
      failures.push({ property: "app", reason: absentProblem("app", "app", inputs.app, app.status) });
    if (app.kind === "found") failures.push(...checkDatabaseApp(inputs.plan, expectedKeyRegion(inputs), app.value));
  } else if (olds && olds.enhancedCertificates !== true && inputs.enhancedCertificates === true) {
    // An in-place update of a deployed database: turning Enhanced Certificates on needs mTLS off.
    const addon = addonNameOf(inputs);
    const mtls = addon ? await mtlsFacts(addon) : undefined;
    if (addon && mtls?.kind === "found" && mtls.value.mtls) {
      failures.push(...checkEnhancedCertificatesWithMtls(addon, mtls.value.status ?? "enabled"));
    }
  }
  return failures;
}

/**
 * The same rules at `up`, before the add-on is created (values unknown at preview are known now), and the key
 * itself in KMS. Heroku checks these during provisioning, but only reports them minutes later as a failed add-on.
 */
export async function preflight(app: App, inputs: SecureDatabaseInputs): Promise<void> {
  const facts: DatabaseAppFacts = { name: app.name, region: app.region.name };
  if (app.space) {
    facts.space = { name: app.space.name, shield: app.space.shield ?? (await getSpace(app.space.id)).shield };
  }
  if (app.generation?.name) facts.generation = app.generation.name;
  const failures = checkDatabaseApp(inputs.plan, expectedKeyRegion(inputs), facts);
  if (failures.length > 0) throw new ProviderError(failures.map((f) => f.reason).join("; "));
  if (inputs.encryptionKeyArn !== undefined) await checkKey(inputs.encryptionKeyArn, planTier(inputs.plan));
  if (inputs.follow !== undefined) {
    const failure = await leaderFailure(inputs.follow, inputs.encryptionKeyArn);
    if (failure) throw new ProviderError(failure.reason);
  }
}

/**
 * The leader's own rules for a follower, read from its "Customer Encryption Key" row (docs/heroku-api.md sections
 * 4.5 and 4.6): run by check when `follow` and the key are known (so the preview refuses), and again before the
 * create. A read that fails for another reason than a missing leader decides nothing: Heroku checks it too.
 */
export async function leaderFailure(
  leader: string,
  encryptionKeyArn: string | undefined,
): Promise<CheckFailure | undefined> {
  let reported: string | undefined;
  try {
    reported = infoRow(await getDatabase(leader), "Customer Encryption Key")?.[0];
  } catch (err) {
    if (isNotFound(err))
      return { property: "follow", reason: `follow names ${leader}, but Heroku has no such database` };
    return undefined;
  }
  // A value that is not a key ARN (the row's format is not documented) tells nothing about which key it is.
  if (reported !== undefined && !parseKeyArn(reported)) return undefined;
  const problem = followerKeyProblem(leader, reported, encryptionKeyArn);
  return problem === undefined ? undefined : { property: "encryptionKeyArn", reason: problem };
}

async function checkKey(arn: string, tier: string | undefined): Promise<void> {
  if (tier === undefined || !ENCRYPTION_KEY_PLAN_TIERS.includes(tier)) {
    throw new ProviderError(`encryptionKeyArn needs a private-* or shield-* plan`);
  }
  const region = keyRegion(arn);
  if (region === undefined) return;
  let metadata;
  try {
    metadata = (await kmsClient(region).send(new DescribeKeyCommand({ KeyId: arn }))).KeyMetadata;
  } catch (err) {
    if (isKmsNotFound(err)) throw new ProviderError(`encryptionKeyArn ${arn} does not exist in KMS`);
    // No permission to describe the key, or no AWS credentials here: Heroku checks the key itself while provisioning.
    return;
  }
  if (!metadata) return;
  if (metadata.MultiRegion)
    throw new ProviderError(`encryptionKeyArn ${arn} is a multi-Region key, which Heroku Postgres does not support`);
  if (metadata.KeySpec !== undefined && metadata.KeySpec !== "SYMMETRIC_DEFAULT") {
    throw new ProviderError(
      `encryptionKeyArn ${arn} has key spec ${metadata.KeySpec}; Heroku Postgres needs a symmetric key (SYMMETRIC_DEFAULT)`,
    );
  }
  if (metadata.KeyState !== "Enabled") {
    throw new ProviderError(
      `encryptionKeyArn ${arn} is ${metadata.KeyState ?? "not enabled"}; Heroku can only provision with an Enabled key (aws kms enable-key)`,
    );
  }
}
