import type { Core } from "../core";
import { invalid } from "../errors";
import type { App } from "../store/types";

/**
 * PATCH /apps/{app}: only `maintenance` (what `heroku maintenance:on|off` sends, heroku
 * `commands/maintenance/on.js`). On Heroku maintenance mode makes the router answer every web request with a
 * maintenance page; dynos keep running and the app's databases stay writable (Dev Center, "Maintenance Mode").
 * The emulator routes no web traffic, so the flag is what changes: it is stored, shown by GET /apps/{app}, and
 * what clients (a BYOK migration's promotion) read as the start and end of their write freeze. No release.
 */
export function updateApp(core: Core, app: App, body: Record<string, unknown>): App {
  const unknown = Object.keys(body).filter((k) => k !== "maintenance");
  if (unknown.length > 0) {
    throw invalid(`The emulator changes only maintenance on an app; ${unknown.join(", ")} cannot be changed here.`);
  }
  if (body.maintenance === undefined) return app;
  if (typeof body.maintenance !== "boolean") throw invalid("maintenance must be true or false.");
  if ((app.maintenance ?? false) !== body.maintenance) {
    app.maintenance = body.maintenance;
    app.updatedAt = core.store.nowIso();
    core.store.save();
  }
  return app;
}
