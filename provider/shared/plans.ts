/**
 * Heroku Postgres plan names and tiers, in one place for every resource: `heroku-postgresql:private-7` is the
 * `private` tier. Dev Center, "Heroku Postgres Plans" and "Heroku Postgres and Private Spaces".
 */
export const POSTGRES_PLAN_PREFIX = "heroku-postgresql:";

/** Customer keys and mTLS are only on Private and Shield plans. */
export const PRIVATE_OR_SHIELD_TIERS: readonly string[] = ["private", "shield"];

/** Named credentials are only on production plans ("Heroku Postgres Credentials"). */
export const PRODUCTION_PLAN_TIERS: readonly string[] = ["standard", "premium", "private", "shield"];

/** `heroku-postgresql:<tier>[-<size>...]`, as add-on plans are named. */
const PLAN = /^heroku-postgresql:([a-z]+)(?:-[a-z0-9]+)*$/;

/**
 * The plan's tier (`private` for `heroku-postgresql:private-7`, or for the bare `private-7` that the Data API
 * reports); undefined for a name that is not a Postgres plan.
 */
export function planTier(plan: string): string | undefined {
  const full = plan.startsWith(POSTGRES_PLAN_PREFIX) ? plan : `${POSTGRES_PLAN_PREFIX}${plan}`;
  return PLAN.exec(full)?.[1];
}

export function isPrivateOrShieldPlan(plan: string): boolean {
  return PRIVATE_OR_SHIELD_TIERS.includes(planTier(plan) ?? "");
}

export function isProductionPlan(plan: string): boolean {
  return PRODUCTION_PLAN_TIERS.includes(planTier(plan) ?? "");
}
