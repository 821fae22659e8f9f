import { credentialUrl } from "../domain/connection";
import { credentialLogin, settleCredentials } from "../domain/credentials";
import { ApiError } from "../errors";
import type { Router } from "../http/router";
import type { Reply } from "../http/types";

/** The Platform API's add-on config, as far as credentials use it. */
export function addonConfigRoutes(r: Router): void {
  // docs/heroku-api.md 2.4: the CLI checks a credential exists before attaching it; an empty list means unknown.
  r.add("GET", "/addons/:addon/config/:key", "platform", ({ core, user, params }): Reply => {
    const addon = core.store.visibleAddon(user, params.addon!);
    const match = /^credential:(.+)$/.exec(params.key!);
    if (!match)
      throw new ApiError("not_implemented", `GET /addons/${params.addon}/config/${params.key} is not emulated.`);
    settleCredentials(core, addon);
    const login = addon.state === "provisioned" ? credentialLogin(addon, `credential:${match[1]}`) : undefined;
    return {
      status: 200,
      json: login ? [{ name: "URL", value: credentialUrl(core, addon, login.user, login.password) }] : [],
    };
  });
}
