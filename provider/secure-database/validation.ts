import { createHash } from "node:crypto";
import { type CheckFailure, echo, Failures, isUnknown } from "../shared/check";
import { checkTimeouts } from "../shared/timeouts";
import { parseKeyArn } from "../kms/arn";
import { awsRegionOf } from "../heroku/regions";
import { planTier as tierOf, POSTGRES_PLAN_PREFIX, PRIVATE_OR_SHIELD_TIERS } from "../shared/plans";
import type { SecureDatabaseInputs } from "./types";

export const PLAN_PREFIX = POSTGRES_PLAN_PREFIX;
/** Dev Center's BYOK article (docs/heroku-api.md), "Limitations": a customer key needs a Private or Shield Space database. */
export const ENCRYPTION_KEY_PLAN_TIERS: readonly string[] = PRIVATE_OR_SHIELD_TIERS;
/** Dev Center's Enhanced Certificates article (docs/heroku-api.md), "Prerequisites": Standard, Premium, Private or Shield tier. */
export const ENHANCED_CERTIFICATES_PLAN_TIERS: readonly string[] = ["standard", "premium", "private", "shield"];
/** Dev Center's Enhanced Certificates article (docs/heroku-api.md), "Prerequisites": version 13 or greater. */
export const MIN_ENHANCED_CERTIFICATES_VERSION = 13;
export const MIN_POSTGRES_VERSION = 12;
export const MAX_POSTGRES_VERSION = 17;
/** Heroku app names: 3 to 30 characters (Platform API schema, app `name`). */
export const MIN_APP_NAME_LENGTH = 3;
export const MAX_APP_NAME_LENGTH = 30;
export const MAX_ADDON_NAME_LENGTH = 256;
export const MULTI_REGION_KEY_PREFIX = "mrk-";

const APP_NAME = /^[a-z][a-z0-9-]*$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ADDON_NAME = /^[a-zA-Z][A-Za-z0-9_-]*$/;
const ATTACHMENT_NAME = /^[A-Z][A-Z0-9_]*$/;
const VERSION = /^\d+$/;
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `private` for heroku-postgresql:private-7; undefined for a malformed plan (the input needs the prefix). */
export function planTier(plan: string): string | undefined {
  return plan.startsWith(POSTGRES_PLAN_PREFIX) ? tierOf(plan) : undefined;
}

/** The pure part of `check`: defaults applied, every rule that needs no API call. Unknown values pass. */
export function validateSecureDatabase(raw: Record<string, unknown>): {
  inputs: SecureDatabaseInputs;
  failures: CheckFailure[];
} {
  const f = new Failures();
  const inputs = { ...raw } as Record<string, unknown>;
  inputs.enhancedCertificates ??= false;

  if (f.requiredString("app", inputs.app) && typeof inputs.app === "string" && !isUnknown(inputs.app)) {
    const app = inputs.app;
    if (
      !UUID.test(app) &&
      (app.length < MIN_APP_NAME_LENGTH || app.length > MAX_APP_NAME_LENGTH || !APP_NAME.test(app))
    ) {
      f.add(
        "app",
        `app must be an app id or a name of ${MIN_APP_NAME_LENGTH} to ${MAX_APP_NAME_LENGTH} lowercase letters, digits and dashes starting with a letter, got ${echo(app)}`,
      );
    }
  }

  let tier: string | undefined;
  if (f.requiredString("plan", inputs.plan) && typeof inputs.plan === "string" && !isUnknown(inputs.plan)) {
    tier = planTier(inputs.plan);
    if (tier === undefined) {
      f.add("plan", `plan must be a Heroku Postgres plan like "${PLAN_PREFIX}private-0", got ${echo(inputs.plan)}`);
    }
  }

  checkEncryptionKey(f, inputs.encryptionKeyArn, tier);

  if (f.optionalBoolean("enhancedCertificates", inputs.enhancedCertificates) && inputs.enhancedCertificates === true) {
    if (tier !== undefined && !ENHANCED_CERTIFICATES_PLAN_TIERS.includes(tier)) {
      f.add(
        "enhancedCertificates",
        `enhancedCertificates needs a ${ENHANCED_CERTIFICATES_PLAN_TIERS.join(", ")} plan, not ${tier}`,
      );
    }
  }

  if (
    f.optionalString("postgresVersion", inputs.postgresVersion) &&
    typeof inputs.postgresVersion === "string" &&
    !isUnknown(inputs.postgresVersion)
  ) {
    const version = inputs.postgresVersion;
    const major = Number(version);
    if (!VERSION.test(version) || major < MIN_POSTGRES_VERSION || major > MAX_POSTGRES_VERSION) {
      f.add(
        "postgresVersion",
        `postgresVersion must be a major version from ${MIN_POSTGRES_VERSION} to ${MAX_POSTGRES_VERSION} like "16", got ${echo(version)}`,
      );
    } else if (inputs.enhancedCertificates === true && major < MIN_ENHANCED_CERTIFICATES_VERSION) {
      f.add(
        "postgresVersion",
        `enhancedCertificates needs postgresVersion ${MIN_ENHANCED_CERTIFICATES_VERSION} or later, got ${version}`,
      );
    }
  }

  if (f.optionalString("name", inputs.name) && typeof inputs.name === "string" && !isUnknown(inputs.name)) {
    if (!ADDON_NAME.test(inputs.name) || inputs.name.length > MAX_ADDON_NAME_LENGTH) {
      f.add(
        "name",
        `name must start with a letter and hold only letters, digits, "-" and "_", at most ${MAX_ADDON_NAME_LENGTH} characters, got ${echo(inputs.name)}`,
      );
    }
  }

  if (
    f.optionalString("attachmentName", inputs.attachmentName) &&
    typeof inputs.attachmentName === "string" &&
    !isUnknown(inputs.attachmentName)
  ) {
    if (!ATTACHMENT_NAME.test(inputs.attachmentName)) {
      f.add(
        "attachmentName",
        `attachmentName must start with an uppercase letter and hold only uppercase letters, digits and "_" (it becomes <NAME>_URL), got ${echo(inputs.attachmentName)}`,
      );
    }
  }

  if (
    f.optionalString("adoptAddonId", inputs.adoptAddonId) &&
    typeof inputs.adoptAddonId === "string" &&
    !isUnknown(inputs.adoptAddonId)
  ) {
    if (!UUID.test(inputs.adoptAddonId) && !ADDON_NAME.test(inputs.adoptAddonId)) {
      f.add(
        "adoptAddonId",
        `adoptAddonId must be an add-on id (UUID) or add-on name, got ${echo(inputs.adoptAddonId)}`,
      );
    }
  }

  if (f.optionalString("follow", inputs.follow) && typeof inputs.follow === "string" && !isUnknown(inputs.follow)) {
    if (!UUID.test(inputs.follow) && !ADDON_NAME.test(inputs.follow)) {
      f.add("follow", `follow must be the leader's add-on id (UUID) or add-on name, got ${echo(inputs.follow)}`);
    }
  }
  f.optionalBoolean("promote", inputs.promote);

  if (
    f.optionalString("encryptionKeyRegion", inputs.encryptionKeyRegion) &&
    typeof inputs.encryptionKeyRegion === "string" &&
    !isUnknown(inputs.encryptionKeyRegion) &&
    !AWS_REGION.test(inputs.encryptionKeyRegion)
  ) {
    f.add(
      "encryptionKeyRegion",
      `encryptionKeyRegion must be an AWS region name like us-east-1, got ${echo(inputs.encryptionKeyRegion)}`,
    );
  }

  checkTimeouts(f, inputs.timeouts);
  return { inputs: inputs as unknown as SecureDatabaseInputs, failures: f.list };
}

/**
 * The rules that compare the new inputs with the old ones (none on a create: isCreate): a plan changes in place only
 * where Heroku can change it (planChangeProblem), and `promote` needs a follower, unless an earlier run asked for
 * the promotion already (a promoted database keeps `promote` after the program drops `follow`).
 */
export function validateChange(
  olds: Record<string, unknown> | undefined,
  news: Record<string, unknown>,
): CheckFailure[] {
  const f = new Failures();
  const from = olds?.plan;
  const to = news.plan;
  if (typeof from === "string" && typeof to === "string" && !isUnknown(from) && !isUnknown(to)) {
    const problem = planChangeProblem(from, to);
    if (problem) f.add("plan", problem);
  }
  if (news.promote === true && news.follow === undefined && olds?.promote !== true) {
    f.add(
      "promote",
      "promote makes a follower the app's primary database, so it needs follow (the leader's add-on id or name)",
    );
  } else if (news.promote === true && isCreate(olds)) {
    f.add(
      "promote",
      "promote cannot be set on a database that does not exist yet: create the follower first (follow), let it catch up, then set promote: true in a later change",
    );
  }
  return f.list;
}

/**
 * Whether `check` runs for a create: Pulumi's dynamic-provider host passes no old inputs then (an empty object),
 * while every earlier run stored `app`, a required input.
 */
export function isCreate(olds: Record<string, unknown> | undefined): boolean {
  return olds === undefined || olds.app === undefined;
}

/**
 * Plans change in place within a group: Essential plans only to Essential plans (Dev Center, "Changing the Plan or
 * Infrastructure of a Heroku Postgres Database": other moves use pg:copy); Private and Shield plans need an app in
 * that kind of space ("Heroku Postgres and Private Spaces"), so they never change to another group; Standard and
 * Premium plans change between themselves.
 */
export const PLAN_CHANGE_GROUPS: Readonly<Record<string, string>> = {
  essential: "Essential",
  mini: "Essential",
  basic: "Essential",
  hobby: "Essential",
  standard: "Standard or Premium",
  premium: "Standard or Premium",
  private: "Private",
  shield: "Shield",
};

/** Why a plan cannot change from `from` to `to` in place, or undefined when it can (or either is malformed). */
export function planChangeProblem(from: string, to: string): string | undefined {
  if (from === to) return undefined;
  const fromTier = planTier(from);
  const toTier = planTier(to);
  if (fromTier === undefined || toTier === undefined) return undefined;
  const fromGroup = PLAN_CHANGE_GROUPS[fromTier];
  const toGroup = PLAN_CHANGE_GROUPS[toTier];
  if (fromGroup === undefined || toGroup === undefined || fromGroup === toGroup) return undefined;
  const how =
    fromGroup === "Essential" || toGroup === "Essential"
      ? "copy the data into a new database (heroku pg:copy)"
      : `declare a new SecureDatabase on an app in the right space with follow, then promote it (README "Followers and promotion")`;
  return `plan cannot change in place from ${from} (${fromGroup}) to ${to} (${toGroup}): Heroku changes a plan in place only within the ${fromGroup} plans; to move the data, ${how}`;
}

/**
 * Dev Center's BYOK article, "Limitations": a follower uses its leader's key. So a follower of an encrypted
 * leader must declare that very key, and a follower of an unencrypted leader may take any key (the migration
 * the same article describes). `leaderKey` is what the leader's "Customer Encryption Key" row reports.
 */
export function followerKeyProblem(
  leader: string,
  leaderKey: string | undefined,
  encryptionKeyArn: string | undefined,
): string | undefined {
  if (leaderKey === undefined || leaderKey === encryptionKeyArn) return undefined;
  const declared = encryptionKeyArn === undefined ? "it is unset" : `got ${encryptionKeyArn}`;
  return `encryptionKeyArn must be ${leaderKey}, the key of leader ${leader}: a follower uses its leader's key (Heroku's BYOK "Limitations"), and ${declared}`;
}

function checkEncryptionKey(f: Failures, arn: unknown, tier: string | undefined): void {
  if (!f.optionalString("encryptionKeyArn", arn) || typeof arn !== "string" || isUnknown(arn)) return;
  const parsed = parseKeyArn(arn);
  if (!parsed) {
    f.add(
      "encryptionKeyArn",
      `encryptionKeyArn must be a KMS key ARN like arn:aws:kms:us-east-1:123456789012:key/<uuid>, got ${echo(arn)}`,
    );
    return;
  }
  const keyId = parsed.keyId;
  if (keyId.startsWith(MULTI_REGION_KEY_PREFIX)) {
    f.add(
      "encryptionKeyArn",
      "encryptionKeyArn names a multi-Region key (mrk-...), which Heroku Postgres does not support",
    );
  } else if (!KEY_ID.test(keyId)) {
    f.add("encryptionKeyArn", `encryptionKeyArn must end in key/<key id>; aliases are not accepted, got ${echo(arn)}`);
  }
  if (tier !== undefined && !ENCRYPTION_KEY_PLAN_TIERS.includes(tier)) {
    f.add(
      "plan",
      `encryptionKeyArn needs a ${PLAN_PREFIX}private-* or ${PLAN_PREFIX}shield-* plan (Private or Shield Space), not ${tier}`,
    );
  }
}

/** Hex digits of the derived add-on name: 48 bits, so two resources never meet by chance. */
export const DERIVED_NAME_HASH_LENGTH = 12;

/**
 * The add-on name used when none is declared: Heroku's own `postgresql-` prefix plus a hash of the resume key and
 * every field that replaces. A replacement (new plan, key, app...) gets a new name, so creating the new database
 * before deleting the old one never collides; an interrupted create of the same resource gets the same name.
 */
export function derivedAddonName(resumeKey: string, inputs: SecureDatabaseInputs): string {
  const identity = [resumeKey, inputs.app, inputs.plan, inputs.encryptionKeyArn ?? "", inputs.postgresVersion ?? ""];
  identity.push(inputs.attachmentName ?? "");
  // Only when set, so that databases made before followers existed keep their derived names.
  if (inputs.follow !== undefined) identity.push(`follow:${inputs.follow}`);
  const hash = createHash("sha256").update(identity.join("\n")).digest("hex");
  return `postgresql-${hash.slice(0, DERIVED_NAME_HASH_LENGTH)}`;
}

/** The AWS region named by a key ARN. */
export function keyRegion(arn: string): string | undefined {
  return parseKeyArn(arn)?.region;
}

/** What Heroku reports about the app a database is for (GET /apps/{app}; docs/heroku-api.md section 4.10). */
export interface DatabaseAppFacts {
  name: string;
  /** Heroku region name: the space's (virginia...) or the Common Runtime's (us, eu). */
  region: string;
  space?: { name: string; shield: boolean };
  /** `cedar` or `fir`, when Heroku reports it. */
  generation?: string;
}

/** Fir is the newer platform generation; Shield Spaces exist only on Cedar (Dev Center, "Heroku Generations"). */
export const SHIELD_GENERATION = "cedar";

/**
 * The rules that need the app: a Private plan in a Private Space, a Shield plan in a Shield Space of the Cedar
 * generation, and a customer key in the AWS region of the app's space (Dev Center's BYOK article: "Your CMK must be
 * located in the same region as your Heroku Postgres database"). `key` is the key's region when known: from
 * encryptionKeyArn, or from encryptionKeyRegion while the ARN is still unknown (a key made in the same run).
 */
export function checkDatabaseApp(plan: string, key: KeyRegion | undefined, app: DatabaseAppFacts): CheckFailure[] {
  const failures: CheckFailure[] = [];
  const tier = planTier(plan);
  const where = app.space
    ? `${app.space.shield ? "Shield" : "Private"} Space ${app.space.name}`
    : `the Common Runtime (region ${app.region})`;
  if (tier === "shield" && app.generation !== undefined && app.generation !== SHIELD_GENERATION) {
    failures.push({
      property: "plan",
      reason: `plan ${plan} needs a Shield Space, which only the ${SHIELD_GENERATION} generation has, but app ${app.name} is a ${app.generation} app; use a private-* plan or an app in a Shield Space`,
    });
  } else if (tier === "private" || tier === "shield") {
    const wanted = tier === "shield" ? "Shield" : "Private";
    if (!app.space) {
      failures.push({
        property: "plan",
        reason: `plan ${plan} needs an app in a ${wanted} Space, but app ${app.name} runs in ${where}`,
      });
    } else if (tier === "shield" && !app.space.shield) {
      failures.push({
        property: "plan",
        reason: `plan ${plan} needs a Shield Space, but app ${app.name} is in ${where}; use a private-* plan`,
      });
    } else if (tier === "private" && app.space.shield) {
      failures.push({
        property: "plan",
        reason: `plan ${plan} cannot run in ${where} (app ${app.name}); use a shield-* plan`,
      });
    }
  }
  const appRegion = awsRegionOf(app.region);
  if (key !== undefined && appRegion !== undefined && key.region !== appRegion) {
    const subject =
      key.field === "encryptionKeyArn"
        ? `encryptionKeyArn is a key in ${key.region}`
        : `encryptionKeyRegion is ${key.region} (the region of the key made for this database)`;
    failures.push({
      property: key.field,
      reason: `${subject}, but app ${app.name} runs in ${app.space?.name ?? "the Common Runtime"} in ${app.region} (${appRegion}); the key must be in ${appRegion}`,
    });
  }
  return failures;
}

/** How many plan names a refusal lists at most. */
export const MAX_LISTED_PLANS = 12;

/** The plan must be one Heroku lists (GET /addon-services/heroku-postgresql/plans), not merely well-formed. */
export function checkPlanListed(plan: string, listed: readonly string[]): CheckFailure[] {
  if (listed.includes(plan)) return [];
  const tier = planTier(plan);
  const sameTier = listed.filter((p) => tier !== undefined && planTier(p) === tier);
  const offer = (sameTier.length > 0 ? sameTier : listed)
    .map((p) => p.slice(PLAN_PREFIX.length))
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  const shown = offer.slice(0, MAX_LISTED_PLANS).join(", ") + (offer.length > MAX_LISTED_PLANS ? ", ..." : "");
  return [
    {
      property: "plan",
      reason: `plan ${echo(plan)} is not a plan Heroku offers for ${PLAN_PREFIX.slice(0, -1)} (GET /addon-services/heroku-postgresql/plans); ${sameTier.length > 0 ? `the ${tier} plans are` : "plans include"} ${shown}`,
    },
  ];
}

/** The key's region and the field it was read from. */
export interface KeyRegion {
  region: string;
  field: "encryptionKeyArn" | "encryptionKeyRegion";
}

/** The key's region for the app check: the ARN's when it is known, else the declared encryptionKeyRegion. */
export function expectedKeyRegion(inputs: SecureDatabaseInputs): KeyRegion | undefined {
  if (typeof inputs.encryptionKeyArn === "string" && !isUnknown(inputs.encryptionKeyArn)) {
    const region = keyRegion(inputs.encryptionKeyArn);
    return region === undefined ? undefined : { region, field: "encryptionKeyArn" };
  }
  if (typeof inputs.encryptionKeyRegion === "string" && !isUnknown(inputs.encryptionKeyRegion)) {
    return { region: inputs.encryptionKeyRegion, field: "encryptionKeyRegion" };
  }
  return undefined;
}

/**
 * Enhanced Certificates cannot be turned on while the database has mTLS (Dev Center's Enhanced Certificates
 * article: "Enhanced certificates are currently incompatible with mTLS"); Heroku refuses the enable.
 */
export function checkEnhancedCertificatesWithMtls(addon: string, mtlsStatus: string | undefined): CheckFailure[] {
  if (mtlsStatus === undefined) return [];
  return [
    {
      property: "enhancedCertificates",
      reason: `enhancedCertificates: database ${addon} has mTLS ${mtlsStatus}, and Enhanced Certificates cannot be used together with mTLS; remove its MtlsConfig (and IP rules) in one pulumi up, then turn Enhanced Certificates on in the next`,
    },
  ];
}

/** The add-on a deployed SecureDatabase holds, as its inputs name it (declared, adopted or derived), if they do. */
export function addonNameOf(inputs: SecureDatabaseInputs): string | undefined {
  return (
    inputs.name ?? inputs.adoptAddonId ?? (inputs.resumeKey ? derivedAddonName(inputs.resumeKey, inputs) : undefined)
  );
}
