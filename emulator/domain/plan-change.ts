import type { Core } from "../core";
import { ApiError } from "../errors";
import type { PendingTransition } from "../machines/pending";
import type { Addon, App } from "../store/types";
import { applyAvailability } from "./availability";
import { checkFollowerPlan } from "./followers";
import { checkPlanChange, isPrivateOrShield, parsePlan, planLabel } from "./plans";

const unprocessable = (message: string): ApiError => new ApiError("unprocessable_entity", message);

/**
 * PATCH /apps/{app}/addons/{addon} with {plan}, what `heroku addons:upgrade` sends (heroku
 * `commands/addons/upgrade.js`). Heroku changes a Postgres plan in place: it prepares a replacement server while
 * the database stays available, then changes over with less than a minute of downtime, keeping the data and the
 * followers (Dev Center, "Changing the Plan or Infrastructure of a Heroku Postgres Database"). Here the data never
 * moves (the same cluster); the machines `plan-change` (preparing) and `plan-changeover` (unavailable) time it.
 * The Platform API shows the new plan at once (its answer is what the CLI prints); wait_status says waiting until
 * the changeover is over. The same plan again is no change (a client repeating a PATCH whose answer it lost).
 */
export function changePlan(core: Core, app: App, addon: Addon, body: Record<string, unknown>): Addon {
  const to = parsePlan(body.plan);
  if (addon.state !== "provisioned") {
    throw unprocessable(`${addon.name} is ${addon.state}: its plan can change once it is provisioned.`);
  }
  if (addon.planChange) {
    throw unprocessable(
      `${addon.name} is already changing from ${addon.planChangeFrom ?? "its plan"} to ${addon.plan}; wait for it to finish (heroku pg:wait).`,
    );
  }
  const from = parsePlan(addon.plan);
  if (to.name === from.name) return addon;
  checkPlanChange(from, to, core.store.space(app.space), app.name);
  if (addon.encryptionKey && !isPrivateOrShield(to)) {
    throw unprocessable(
      `${addon.name} is encrypted with a customer key, which only Private and Shield plans support; ${to.name} is neither.`,
    );
  }
  checkFollowerPlan(core, addon, to);
  const store = core.store;
  addon.planChangeFrom = from.name;
  addon.plan = to.name;
  addon.planChange = "preparing";
  addon.updatedAt = store.nowIso();
  store.machines.begin(addon, "plan-change", "planChange", "changing");
  store.save();
  return addon;
}

/** Side effects of the plan-change machines that just fired on an add-on (called where its machines settle). */
export function onPlanChangeFired(core: Core, addon: Addon, fired: PendingTransition[]): void {
  for (const f of fired) {
    if (f.machine === "plan-change" && addon.planChange === "changing") {
      core.store.machines.begin(addon, "plan-changeover", "planChange", "done");
      void applyAvailability(core, addon).catch(() => undefined);
    } else if (f.machine === "plan-changeover") {
      delete addon.planChange;
      delete addon.planChangeFrom;
      void applyAvailability(core, addon).catch(() => undefined);
    }
  }
}

/** What wait_status says during a plan change, or undefined when none is under way. */
export function planChangeWaitMessage(addon: Addon): string | undefined {
  if (!addon.planChange) return undefined;
  const label = planLabel(parsePlan(addon.plan));
  return addon.planChange === "preparing" ? `Preparing the change to ${label}` : `Changing over to ${label}`;
}
