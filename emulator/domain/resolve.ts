import type { Core } from "../core";
import { ApiError } from "../errors";
import type { Addon, Attachment, User } from "../store/types";

/**
 * The Platform API's two resolvers, which the Heroku CLI calls for every add-on or database argument
 * (@heroku/heroku-cli-util `addon-resolver.js`, `attachment-resolver.js`). Both answer a list; the CLI decides
 * what to do with several matches (it keeps those without a namespace, then compares their config vars).
 */

/** `DATABASE_URL` names the attachment `DATABASE`: users pass either, as Heroku's docs do. */
const attachmentNameOf = (identifier: string): string => identifier.replace(/_URL$/, "");

/** The app given in the body, or every app of the caller's team. */
function scopeApps(core: Core, user: User, app: unknown): Set<string> {
  if (typeof app === "string" && app !== "") return new Set([core.store.visibleApp(user, app).id]);
  return new Set(core.store.teamApps(user).map((a) => a.id));
}

/**
 * Attachments an identifier names: an attachment name (with or without `_URL`) or id, or an add-on name or id,
 * which stands for every attachment of that add-on in scope (Dev Center's `heroku pg:info postgresql-sushi-12345`).
 */
export function resolveAttachments(core: Core, user: User, identifier: string, app: unknown): Attachment[] {
  const store = core.store;
  const apps = scopeApps(core, user, app);
  const inScope = store.state.attachments.filter((a) => apps.has(a.appId));
  const name = attachmentNameOf(identifier);
  const byAttachment = inScope.filter((a) => a.name === name || a.id === identifier);
  if (byAttachment.length > 0) return byAttachment;
  const addon = store.findAddon(identifier);
  if (addon) {
    // Ask before answering, so another team's add-on is 403 (README: Differences) rather than a silent 404.
    store.assertAddonVisible(user, addon);
    const attached = inScope.filter((a) => a.addonId === addon.id);
    if (attached.length > 0) return attached;
  }
  throw new ApiError("not_found", "Couldn't find that add-on attachment.");
}

/** Add-ons an identifier names: an add-on name or id, or an attachment name (with or without `_URL`) on the app. */
export function resolveAddons(core: Core, user: User, identifier: string, app: unknown): Addon[] {
  const store = core.store;
  const direct = store.findAddon(identifier);
  if (direct) {
    store.assertAddonVisible(user, direct);
    return [direct];
  }
  if (typeof app === "string" && app !== "") {
    const appId = store.visibleApp(user, app).id;
    const name = attachmentNameOf(identifier);
    const ids = new Set(
      store
        .attachmentsOfApp(appId)
        .filter((a) => a.name === name)
        .map((a) => a.addonId),
    );
    const found = store.state.addons.filter((a) => ids.has(a.id));
    if (found.length > 0) return found;
  }
  throw new ApiError("not_found", "Couldn't find that add-on.");
}
