import { createAddon, deleteAddon, settleAll, touchAddon } from "../domain/addons";
import { addonView } from "../domain/views";
import { notFound } from "../http/errors";
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

export function addonRoutes(r: Router): void {
  r.add("POST", "/apps/:app/addons", "platform", async (ctx) => {
    const app = ctx.core.store.visibleApp(ctx.user, ctx.params.app!);
    const addon = await createAddon(ctx.core, app, ctx.body);
    return { status: 201, json: addonView(ctx.core, addon) };
  });
  r.add("GET", "/apps/:app/addons", "platform", ({ core, user, params }) => {
    const app = core.store.visibleApp(user, params.app!);
    settleAll(core);
    return {
      status: 200,
      list: core.store.state.addons.filter((a) => a.appId === app.id).map((a) => addonView(core, a)),
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
  r.add("DELETE", "/apps/:app/addons/:addon", "platform", async (ctx) => {
    const addon = touchAddon(ctx.core, addonOfApp(ctx));
    return { status: 200, json: addonView(ctx.core, await deleteAddon(ctx.core, addon)) };
  });
  r.add("DELETE", "/addons/:addon", "platform", async ({ core, user, params }) => {
    const addon = touchAddon(core, core.store.visibleAddon(user, params.addon!));
    return { status: 200, json: addonView(core, await deleteAddon(core, addon)) };
  });
}
