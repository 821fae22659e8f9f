import { appView } from "../domain/views";
import type { Router } from "../http/router";

export function appRoutes(r: Router): void {
  r.add("GET", "/apps", "platform", ({ core, user }) => ({
    status: 200,
    list: core.store.teamApps(user).map((a) => appView(core, a)),
  }));
  r.add("GET", "/apps/:app", "platform", ({ core, user, params }) => ({
    status: 200,
    json: appView(core, core.store.visibleApp(user, params.app!)),
  }));
}
