import { type Addon, changeAddonPlan, getAddon } from "../heroku/addons";
import { getDatabase, getWaitStatus, infoRow } from "../heroku/databases";
import { waitFor } from "../heroku/waiter";
import type { Deadline } from "../shared/deadline";
import { POSTGRES_PLAN_PREFIX } from "../shared/plans";

/**
 * A plan change in place, as `heroku addons:upgrade` makes it (docs/heroku-api.md section 4.7): the add-on update,
 * then the wait until Heroku finished the changeover. An add-on that already reports the new plan (a run killed
 * after the PATCH) is not patched again, only waited for.
 */
export async function changePlan(app: string, addon: Addon, plan: string, deadline: Deadline): Promise<Addon> {
  const hint = `Raise timeouts.update and run pulumi up again; heroku pg:info ${addon.name} -a ${app} shows the change.`;
  if (addon.plan.name !== plan) await changeAddonPlan(app, addon.id, plan);
  const bare = plan.startsWith(POSTGRES_PLAN_PREFIX) ? plan.slice(POSTGRES_PLAN_PREFIX.length) : plan;
  await waitFor({
    what: `the plan change of ${addon.name} to ${plan}`,
    target: "done",
    ...deadline.bounds(),
    poll: async () => {
      const [a, info, status] = [
        await getAddon(app, addon.id),
        await getDatabase(addon.id),
        await getWaitStatus(addon.id),
      ];
      return { a, info, status };
    },
    statusOf: ({ a, info, status }) =>
      `add-on ${a.state} on ${a.plan.name}, database ${infoRow(info, "Status")?.[0] ?? status.message}`,
    // The add-on reports the plan at once; the database is changed over when the Data API reports it too,
    // wait_status no longer waits and Heroku serves it again.
    isDone: ({ a, info, status }) =>
      a.state === "provisioned" &&
      a.plan.name === plan &&
      (info.plan?.name === undefined || info.plan.name === bare || info.plan.name === plan) &&
      !status["waiting?"] &&
      info.available_for_ingress !== false,
    hint,
  });
  return getAddon(app, addon.id);
}
