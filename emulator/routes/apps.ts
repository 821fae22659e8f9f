import { updateApp } from "../domain/apps";
import { releasesOf, releaseView } from "../domain/releases";
import { appView } from "../domain/views";
import { notFound } from "../errors";
import type { Router } from "../http/router";

export function appRoutes(r: Router): void {
  r.add("GET", "/apps", "platform", ({ core, user }) => ({
    status: 200,
    list: core.store.teamApps(user).map((a) => appView(core, a)),
  }));
  // `heroku apps` lists the user's apps here (and a team's with --team); every seeded app belongs to a team, so
  // the user's own list is the apps of the user's team.
  r.add("GET", "/users/:user/apps", "platform", ({ core, user }) => ({
    status: 200,
    list: core.store.teamApps(user).map((a) => appView(core, a)),
  }));
  r.add("GET", "/teams/:team/apps", "platform", ({ core, user, params }) => ({
    status: 200,
    list: core.store
      .teamApps(user)
      .filter((a) => a.team === params.team)
      .map((a) => appView(core, a)),
  }));
  r.add("GET", "/apps/:app", "platform", ({ core, user, params }) => ({
    status: 200,
    json: appView(core, core.store.visibleApp(user, params.app!)),
  }));
  r.add("PATCH", "/apps/:app", "platform", ({ core, user, params, body }) => ({
    status: 200,
    json: appView(core, updateApp(core, core.store.visibleApp(user, params.app!), body)),
  }));
  // No dynos run here: an empty formation. `pg:promote` reads it to look for a release phase (heroku
  // `commands/pg/promote.js`) and skips the release check when there is none.
  r.add("GET", "/apps/:app/formation", "platform", ({ core, user, params }) => {
    core.store.visibleApp(user, params.app!);
    return { status: 200, list: [] };
  });
  r.add("GET", "/apps/:app/releases", "platform", ({ core, user, params }) => {
    const app = core.store.visibleApp(user, params.app!);
    return {
      status: 200,
      list: releasesOf(core, app).map((rel) => releaseView(core, app, rel)),
      rangeFields: ["id", "version"],
    };
  });
  r.add("GET", "/apps/:app/releases/:release", "platform", ({ core, user, params }) => {
    const app = core.store.visibleApp(user, params.app!);
    const rel = releasesOf(core, app).find((x) => x.id === params.release || String(x.version) === params.release);
    if (!rel) throw notFound("release");
    return { status: 200, json: releaseView(core, app, rel) };
  });
}
