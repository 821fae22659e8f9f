import * as crypto from "node:crypto";
import { invalid } from "../errors";
import type { Space } from "../store/types";

export const SERVICE_NAME = "heroku-postgresql";
const PLAN = /^heroku-postgresql:(essential|standard|premium|private|shield)-(\d+)$/;

export type Tier = "essential" | "standard" | "premium" | "private" | "shield";

export interface Plan {
  name: string;
  tier: Tier;
  size: number;
}

/**
 * The plans of the add-on service, as `GET /addon-services/heroku-postgresql/plans` lists them. Dev Center,
 * "Heroku Postgres Plans": Essential 0 to 2, and sizes 0 and 2 to 10 of Standard, Premium, Private and Shield
 * (there is no size 1 in the production tiers). Variant plans (such as the `-l-` ones) are left out.
 */
export const PLAN_SIZES: Readonly<Record<Tier, readonly number[]>> = {
  essential: [0, 1, 2],
  standard: [0, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  premium: [0, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  private: [0, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  shield: [0, 2, 3, 4, 5, 6, 7, 8, 9, 10],
};

/** Every plan of the catalogue, cheapest tier first. */
export function catalogue(): Plan[] {
  return (Object.keys(PLAN_SIZES) as Tier[]).flatMap((tier) =>
    PLAN_SIZES[tier].map((size) => ({ name: `${SERVICE_NAME}:${tier}-${size}`, tier, size })),
  );
}

/** Heroku's answer to a plan it does not have (422 invalid_params), for a create or a plan lookup. */
export function unknownPlanMessage(name: string): string {
  return `Couldn't find either the add-on service or the add-on plan of "${name}".`;
}

/** A plan a create may use: well-formed and in the catalogue, as Heroku refuses any other with 422. */
export function listedPlan(value: unknown): Plan {
  const plan = parsePlan(value);
  if (!PLAN_SIZES[plan.tier].includes(plan.size)) throw invalid(unknownPlanMessage(plan.name));
  return plan;
}

/** The Platform API plan object (docs/heroku-api.md section 4.9). */
export function planView(plan: Plan): Record<string, unknown> {
  return {
    id: stableId(plan.name),
    name: plan.name,
    human_name: planLabel(plan),
    description: `Heroku Postgres ${planLabel(plan)}`,
    default: plan.name === `${SERVICE_NAME}:essential-0`,
    state: "public",
    visible: true,
    compliance: plan.tier === "shield" ? ["HIPAA", "PCI"] : null,
    space_default: plan.name === `${SERVICE_NAME}:private-0`,
    price: { cents: monthlyCents(plan), unit: "month", contract: false },
    addon_service: { id: stableId(SERVICE_NAME), name: SERVICE_NAME },
  };
}

export function parsePlan(value: unknown): Plan {
  const name =
    typeof value === "string"
      ? value
      : typeof value === "object" && value !== null
        ? (value as { name?: unknown }).name
        : undefined;
  if (typeof name !== "string") throw invalid("plan is required, as a string or {name}.");
  const full = name.includes(":") ? name : `${SERVICE_NAME}:${name}`;
  const m = PLAN.exec(full);
  if (!m) throw invalid(unknownPlanMessage(name));
  return { name: full, tier: m[1] as Tier, size: Number(m[2]) };
}

/** Private plans need a Private Space, Shield plans a Shield Space; the other tiers run anywhere. */
export function checkPlanPlacement(plan: Plan, space: Space | undefined, appName: string): void {
  if (plan.tier === "private" && (!space || space.shield)) {
    throw invalid(
      `The plan ${plan.name} is only available to apps in a Private Space (not Shield); ${appName} is not in one.`,
    );
  }
  if (plan.tier === "shield" && (!space || !space.shield)) {
    throw invalid(`The plan ${plan.name} is only available to apps in a Shield Space; ${appName} is not in one.`);
  }
}

export const isPrivateOrShield = (plan: Plan): boolean => plan.tier === "private" || plan.tier === "shield";

/** "heroku-postgresql:private-0" -> "Private 0", as pg:info prints plans. */
export function planLabel(plan: Plan): string {
  return `${plan.tier[0]!.toUpperCase()}${plan.tier.slice(1)} ${plan.size}`;
}

export function monthlyCents(plan: Plan): number {
  const base: Record<Tier, number> = { essential: 500, standard: 5000, premium: 20000, private: 30000, shield: 36000 };
  return base[plan.tier] * Math.max(1, plan.size);
}

/** Stable UUID-shaped id derived from a name, for services and plans that have no stored record. */
export function stableId(name: string): string {
  const hex = crypto.createHash("sha1").update(name).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * What `heroku addons:upgrade` may do in place (Dev Center, "Changing the Plan or Infrastructure of a Heroku Postgres
 * Database"): any plan of the same service, except that Essential-tier databases only move to other Essential
 * plans (to leave or enter that tier Heroku says to use pg:copy). The new plan must also fit the app's space.
 */
export function checkPlanChange(from: Plan, to: Plan, space: Space | undefined, appName: string): void {
  if ((from.tier === "essential") !== (to.tier === "essential")) {
    throw invalid(
      `${from.name} cannot change to ${to.name} in place: Essential-tier databases change plans only within the ` +
        "Essential tier; use pg:copy to move data between an Essential-tier database and another tier.",
    );
  }
  checkPlanPlacement(to, space, appName);
}
