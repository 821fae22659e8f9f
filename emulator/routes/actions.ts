import { addonInclusions, addonView, attachmentView } from "../domain/views";
import { ApiError, invalid } from "../http/errors";
import type { Router } from "../http/router";

export function actionRoutes(r: Router): void {
  // Resolves an add-on by id, name, or attachment name on the given app; answers a list like Heroku's resolver.
  r.add("POST", "/actions/addons/resolve", "platform", ({ core, user, body }) => {
    if (typeof body.addon !== "string") throw invalid("addon is required.");
    const store = core.store;
    const direct = store.findAddon(body.addon);
    if (direct) {
      store.assertAddonVisible(user, direct);
      return { status: 200, json: [addonView(core, direct)] };
    }
    if (typeof body.app === "string") {
      const app = store.visibleApp(user, body.app);
      const name = body.addon.replace(/_URL$/, "");
      const att = store.attachmentsOfApp(app.id).find((a) => a.name === name);
      const addon = att && store.state.addons.find((a) => a.id === att.addonId);
      if (addon) return { status: 200, json: [addonView(core, addon)] };
    }
    throw new ApiError("not_found", `Couldn't find that add-on.`);
  });
  // Resolves an attachment by name (optionally with _URL) on the given app, or by id; the CLI's database resolver
  // calls it for every `pg:*` command that takes a DATABASE argument (heroku-api.md 4.4).
  r.add("POST", "/actions/addon-attachments/resolve", "platform", ({ core, user, body, headers }) => {
    if (typeof body.addon_attachment !== "string") throw invalid("addon_attachment is required.");
    const store = core.store;
    const wanted = body.addon_attachment.replace(/_URL$/, "");
    const candidates =
      typeof body.app === "string"
        ? store.attachmentsOfApp(store.visibleApp(user, body.app).id)
        : store.state.attachments.filter((a) => store.teamApps(user).some((app) => app.id === a.appId));
    const found = candidates.filter((a) => a.name === wanted || a.id === wanted);
    if (found.length === 0) throw new ApiError("not_found", "Couldn't find that add-on attachment.");
    const include = addonInclusions(headers["accept-inclusion"]);
    return { status: 200, json: found.map((a) => attachmentView(core, a, include)) };
  });
  r.add("GET", "/account", "platform", ({ user }) => ({
    status: 200,
    json: {
      id: user.id,
      email: user.email,
      name: user.email.split("@")[0],
      verified: true,
      two_factor_authentication: false,
    },
  }));
  r.add("GET", "/account/rate-limits", "platform", ({ core, user }) => ({
    status: 200,
    json: { remaining: core.rateLimiter.remaining(user.id) },
  }));
}
