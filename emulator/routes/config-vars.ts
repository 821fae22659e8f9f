import { appConfigVars, attachmentConfigVars } from "../domain/connection";
import { recordRelease } from "../domain/releases";
import { invalid } from "../errors";
import type { Router } from "../http/router";

export function configVarRoutes(r: Router): void {
  r.add("GET", "/apps/:app/config-vars", "platform", ({ core, user, params }) => {
    const app = core.store.visibleApp(user, params.app!);
    return { status: 200, json: appConfigVars(core, app.id) };
  });
  // Values may be strings or booleans (stored as strings); null removes a var, as on Heroku.
  r.add("PATCH", "/apps/:app/config-vars", "platform", ({ core, user, params, body }) => {
    const keys = Object.keys(body);
    const app = core.store.visibleApp(user, params.app!);
    const owned = attachmentConfigVars(core, app.id);
    const clash = Object.keys(body).filter((k) => k in owned);
    if (clash.length > 0) throw invalid(`Cannot overwrite attachment values ${clash.join(", ")}.`);
    const vars = { ...(core.store.state.configVars[app.id] ?? {}) };
    for (const [k, v] of Object.entries(body)) {
      if (v === null) delete vars[k];
      else if (typeof v === "string" || typeof v === "boolean" || typeof v === "number") vars[k] = String(v);
      else throw invalid(`Config var ${k} must be a string, a boolean or null.`);
    }
    core.store.state.configVars[app.id] = vars;
    core.store.save();
    const set = keys.filter((k) => body[k] !== null);
    const removed = keys.filter((k) => body[k] === null);
    if (set.length > 0) recordRelease(core, app, user, `Set ${set.join(", ")} config vars`);
    if (removed.length > 0) recordRelease(core, app, user, `Remove ${removed.join(", ")} config vars`);
    return { status: 200, json: appConfigVars(core, app.id) };
  });
}
