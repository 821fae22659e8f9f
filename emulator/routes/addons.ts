import { createAddon, deleteAddon, settleAll, touchAddon } from "../domain/addons";
import { changePlan } from "../domain/plan-change";
import { recordRelease } from "../domain/releases";
import { addonView } from "../domain/views";
import { notFound } from "../errors";
import type { Router } from "../http/router";
import type { Ctx } from "../http/types";
import type { Addon } from "../store/types";

/** An add-on addressed under an app must belong to that app (by id or name). */
function addonOfApp(ctx: Ctx): Addon {
  const app = ctx.core.store.visibleApp(ctx.user, ctx.params.app!);
  const addon = ctx.core.store.findAddon(ctx.params.addon!);
  if (!addon || addon.appId !== app.id) throw notFound("add-on");
  return addon;
}

/** Deleting a provisioned add-on removes its config vars from every app it was attached to: one release each. */
async function destroy(ctx: Ctx, addon: Addon): Promise<Record<string, unknown>> {
  const { core } = ctx;
  const attachments = addon.state === "provisioned" ? core.store.attachmentsOfAddon(addon.id) : [];
  const deleted = await deleteAddon(core, addon);
  for (const att of attachments) {
    const app = core.store.appById(att.appId);
    if (app) recordRelease(core, app, ctx.user, `Detach ${att.name} (@ref:${addon.name})`);
  }
  const view = addonView(core, deleted);
  // Already gone (addon-deprovision fired while the database was dropped): Heroku's word for that is
  // "deprovisioned"; the CLI fails on any state but that or "deprovisioning" (heroku `lib/addons/destroy-addon.js`).
  if (!core.store.state.addons.includes(deleted)) view.state = "deprovisioned";
  return view;
}

export function addonRoutes(r: Router): void {
  r.add("POST", "/apps/:app/addons", "platform", async (ctx) => {
    const app = ctx.core.store.visibleApp(ctx.user, ctx.params.app!);
    const addon = await createAddon(ctx.core, app, ctx.body);
    const attached = ctx.core.store.attachmentsOfAddon(addon.id)[0];
    if (attached) recordRelease(ctx.core, app, ctx.user, `Attach ${attached.name} (@ref:${addon.name})`);
    return { status: 201, json: addonView(ctx.core, addon) };
  });
  r.add("GET", "/apps/:app/addons", "platform", ({ core, user, params }) => {
    const app = core.store.visibleApp(user, params.app!);
    settleAll(core);
    // Owned or attached: `heroku addons -a APP` lists an add-on billed to another app from this list, with its plan
    // and price, and only falls back to "?" for attachments whose add-on is missing here (heroku
    // `commands/addons/index.js`).
    const attached = new Set(core.store.attachmentsOfApp(app.id).map((a) => a.addonId));
    return {
      status: 200,
      list: core.store.state.addons
        .filter((a) => a.appId === app.id || attached.has(a.id))
        .map((a) => addonView(core, a)),
    };
  });
  r.add("GET", "/apps/:app/addons/:addon", "platform", (ctx) => ({
    status: 200,
    json: addonView(ctx.core, touchAddon(ctx.core, addonOfApp(ctx))),
  }));
  r.add("GET", "/addons", "platform", ({ core, user }) => {
    settleAll(core);
    return { status: 200, list: core.store.teamAddons(user).map((a) => addonView(core, a)) };
  });
  r.add("GET", "/addons/:addon", "platform", ({ core, user, params }) => ({
    status: 200,
    json: addonView(core, touchAddon(core, core.store.visibleAddon(user, params.addon!))),
  }));
  // `heroku addons:upgrade` (docs/heroku-api.md 4.7): a plan change in place.
  r.add("PATCH", "/apps/:app/addons/:addon", "platform", (ctx) => {
    const app = ctx.core.store.visibleApp(ctx.user, ctx.params.app!);
    const addon = touchAddon(ctx.core, addonOfApp(ctx));
    return { status: 200, json: addonView(ctx.core, changePlan(ctx.core, app, addon, ctx.body)) };
  });
  r.add("DELETE", "/apps/:app/addons/:addon", "platform", async (ctx) => {
    const addon = touchAddon(ctx.core, addonOfApp(ctx));
    return { status: 200, json: await destroy(ctx, addon) };
  });
  r.add("DELETE", "/addons/:addon", "platform", async (ctx) => {
    const addon = touchAddon(ctx.core, ctx.core.store.visibleAddon(ctx.user, ctx.params.addon!));
    return { status: 200, json: await destroy(ctx, addon) };
  });
}
