import { catalogue, listedPlan, planView, SERVICE_NAME } from "../domain/plans";
import { notFound } from "../errors";
import type { Router } from "../http/router";

/** The add-on service's plan list and plan info (docs/heroku-api.md section 4.9); only heroku-postgresql exists. */
export function addonServiceRoutes(r: Router): void {
  r.add("GET", "/addon-services/:service/plans", "platform", ({ params }) => {
    if (params.service !== SERVICE_NAME) throw notFound("add-on service");
    return { status: 200, list: catalogue().map(planView), rangeFields: ["id", "name"] };
  });
  r.add("GET", "/addon-services/:service/plans/:plan", "platform", ({ params }) => {
    if (params.service !== SERVICE_NAME) throw notFound("add-on service");
    const name = params.plan!.includes(":") ? params.plan! : `${SERVICE_NAME}:${params.plan!}`;
    return { status: 200, json: planView(listedPlan(name)) };
  });
}
