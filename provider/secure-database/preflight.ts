import { DescribeKeyCommand } from "@aws-sdk/client-kms";
import { type App, getSpace } from "../heroku/apps";
import { awsRegionOf } from "../heroku/regions";
import { ProviderError } from "../shared/errors";
import { isKmsNotFound, kmsClient, parseKeyArn } from "../kms/client";
import { getDatabase, infoRow } from "../heroku/databases";
import { isNotFound } from "../heroku/errors";
import type { CheckFailure } from "../shared/check";
import type { SecureDatabaseInputs } from "./types";
import { ENCRYPTION_KEY_PLAN_TIERS, followerKeyProblem, keyRegion, planTier } from "./validation";

/**
 * Checks that need the app or the key, made before the add-on is created so a refusal leaves nothing behind.
 * Heroku checks the same things during provisioning, but only reports them minutes later as a failed add-on.
 */
export async function preflight(app: App, inputs: SecureDatabaseInputs): Promise<void> {
  const tier = planTier(inputs.plan);
  if (tier === "private" || tier === "shield") {
    if (!app.space) {
      throw new ProviderError(
        `plan ${inputs.plan} needs an app in a ${tier === "shield" ? "Shield" : "Private"} Space, but app ${app.name} runs in the Common Runtime (region ${app.region.name})`,
      );
    }
    const shield = app.space.shield ?? (await getSpace(app.space.id)).shield;
    if (tier === "shield" && !shield) {
      throw new ProviderError(
        `plan ${inputs.plan} needs a Shield Space, but app ${app.name} is in ${app.space.name}, a Private Space; use a private-* plan`,
      );
    }
    if (tier === "private" && shield) {
      throw new ProviderError(
        `plan ${inputs.plan} cannot run in Shield Space ${app.space.name} (app ${app.name}); use a shield-* plan`,
      );
    }
  }
  if (inputs.encryptionKeyArn !== undefined) await checkKey(app, inputs.encryptionKeyArn, tier);
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

async function checkKey(app: App, arn: string, tier: string | undefined): Promise<void> {
  if (tier === undefined || !ENCRYPTION_KEY_PLAN_TIERS.includes(tier)) {
    throw new ProviderError(`encryptionKeyArn needs a private-* or shield-* plan`);
  }
  const region = keyRegion(arn);
  const appRegion = awsRegionOf(app.region.name);
  // Dev Center's BYOK article (docs/heroku-api.md): "Your CMK must be located in the same region as your Heroku Postgres database."
  if (region !== undefined && appRegion !== undefined && region !== appRegion) {
    throw new ProviderError(
      `encryptionKeyArn is a key in ${region}, but app ${app.name} runs in ${app.space?.name ?? "the Common Runtime"} in ${app.region.name} (${appRegion}); the key must be in ${appRegion}`,
    );
  }
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
