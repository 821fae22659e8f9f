import * as crypto from "node:crypto";
import type { Core } from "../core";
import type { App, Release, User } from "../store/types";
import { stableId } from "./plans";

/**
 * Releases: the CLI reads the newest one after `addons:attach` and `addons:detach` to print "done, vN"
 * (heroku `commands/addons/attach.js`, `detach.js`). Every app starts at v1; each config var change adds one.
 */
export function recordRelease(core: Core, app: App, user: User, description: string): Release {
  const store = core.store;
  const release: Release = {
    id: crypto.randomUUID(),
    appId: app.id,
    version: latestVersion(core, app) + 1,
    description,
    userEmail: user.email,
    createdAt: store.nowIso(),
  };
  store.state.releases.push(release);
  store.save();
  return release;
}

function latestVersion(core: Core, app: App): number {
  return core.store.state.releases.filter((r) => r.appId === app.id).reduce((n, r) => Math.max(n, r.version), 1);
}

function initialRelease(app: App): Release {
  return {
    id: stableId(`release:${app.id}:1`),
    appId: app.id,
    version: 1,
    description: "Initial release",
    userEmail: "",
    createdAt: app.createdAt,
  };
}

export function releasesOf(core: Core, app: App): Release[] {
  return [initialRelease(app), ...core.store.state.releases.filter((r) => r.appId === app.id)];
}

/** Platform API release object (Platform API reference, "Release"); there are no slugs or dynos here. */
export function releaseView(core: Core, app: App, release: Release): Record<string, unknown> {
  const current = release.version === latestVersion(core, app);
  return {
    id: release.id,
    version: release.version,
    description: release.description,
    status: "succeeded",
    current,
    app: { id: app.id, name: app.name },
    user: { id: stableId(`user:${release.userEmail}`), email: release.userEmail },
    slug: null,
    addon_plan_names: core.store.state.addons.filter((a) => a.appId === app.id).map((a) => a.plan),
    output_stream_url: null,
    created_at: release.createdAt,
    updated_at: release.createdAt,
  };
}
