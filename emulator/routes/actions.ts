import { resolveAddons, resolveAttachments } from "../domain/resolve";
import { addonView, attachmentView, inclusions } from "../domain/views";
import { invalid } from "../errors";
import type { Router } from "../http/router";

export function actionRoutes(r: Router): void {
  // The CLI's add-on resolver (`addons:info`, `addons:destroy`, `pg:*` on an add-on name): domain/resolve.ts.
  r.add("POST", "/actions/addons/resolve", "platform", ({ core, user, body }) => {
    if (typeof body.addon !== "string") throw invalid("addon is required.");
    return { status: 200, json: resolveAddons(core, user, body.addon, body.app).map((a) => addonView(core, a)) };
  });
  // The CLI's database resolver, called for every `pg:*` command that takes a DATABASE argument.
  r.add("POST", "/actions/addon-attachments/resolve", "platform", ({ core, user, body, headers }) => {
    if (typeof body.addon_attachment !== "string") throw invalid("addon_attachment is required.");
    const include = inclusions(headers["accept-inclusion"]);
    const found = resolveAttachments(core, user, body.addon_attachment, body.app);
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
