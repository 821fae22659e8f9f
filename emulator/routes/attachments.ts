import { newAttachment } from "../domain/addons";
import { defaultAttachmentName, ATTACHMENT_NAME } from "../domain/naming";
import { credentialLogin } from "../domain/credentials";
import { credentialSource } from "../domain/followers";
import { recordRelease } from "../domain/releases";
import { inclusions, attachmentView } from "../domain/views";
import { ApiError, invalid, notFound } from "../errors";
import type { Router } from "../http/router";
import type { Ctx } from "../http/types";
import type { App, Attachment } from "../store/types";

/** addon and app may be strings (heroku-go) or {name} / {id} objects (the CLI). */
function ref(value: unknown, field: string): string {
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "object" && value !== null) {
    const o = value as { id?: unknown; name?: unknown };
    if (typeof o.id === "string") return o.id;
    if (typeof o.name === "string") return o.name;
  }
  throw invalid(`${field} is required, as a string or {name}.`);
}

/**
 * A name already attached on the app is replaced only with `confirm: <app name>`; without it Heroku answers
 * `confirmation_required`, which the CLI turns into a prompt and a second POST with confirm (heroku
 * `lib/addons/util.js` trapConfirmationRequired). That is how `pg:promote` moves DATABASE to another database
 * (docs/heroku-api.md 4.5): the old database keeps its other attachments, and DATABASE_URL follows the new one.
 */
function detachForReplacement(ctx: Ctx, taken: Attachment, app: App): void {
  const { core, user, body } = ctx;
  const holder = core.store.state.addons.find((a) => a.id === taken.addonId);
  if (body.confirm !== app.name) {
    throw new ApiError(
      "confirmation_required",
      `${taken.name} is already attached to ${app.name} (${holder?.name ?? taken.addonId}): to replace it, confirm ` +
        `with the app name ${app.name}.`,
    );
  }
  core.store.state.attachments = core.store.state.attachments.filter((a) => a !== taken);
  core.store.save();
  recordRelease(core, app, user, `Detach ${taken.name} (@ref:${holder?.name ?? taken.addonId})`);
}

function create(ctx: Ctx): { status: number; json: unknown } {
  const { core, user, body } = ctx;
  const store = core.store;
  const addon = store.visibleAddon(user, ref(body.addon, "addon"));
  const app = store.visibleApp(user, ref(body.app, "app"));
  if (addon.state === "deprovisioning" || addon.state === "deprovisioned") throw notFound("add-on");
  const namespace = body.namespace ?? null;
  if (namespace !== null) {
    // "credential:N" attaches credential N (docs/heroku-api.md 2.4); it must exist and not be going away.
    if (typeof namespace !== "string" || !credentialLogin(credentialSource(core, addon), namespace)) {
      throw new ApiError(
        "invalid_params",
        `Could not find credential ${String(namespace).replace(/^credential:/, "")} for database ${addon.name}.`,
      );
    }
  }
  let name: string;
  if (body.name !== undefined && body.name !== null) {
    if (typeof body.name !== "string" || !ATTACHMENT_NAME.test(body.name)) {
      throw invalid("name must be upper case letters, digits and underscores, starting with a letter.");
    }
    name = body.name;
  } else {
    // Dev Center's "Heroku Postgres Credentials" (docs/heroku-api.md): a credential goes to DATABASE_URL when the app has no other Postgres, else a colour.
    const names = new Set(store.attachmentsOfApp(app.id).map((a) => a.name));
    name = defaultAttachmentName(names, namespace !== null && names.size === 0);
  }
  const taken = store.attachmentsOfApp(app.id).find((a) => a.name === name);
  if (taken) {
    // The very attachment again is nothing to replace (pg:promote refuses it as "already promoted").
    if (taken.addonId === addon.id && taken.namespace === namespace) {
      throw invalid(`${name} is already taken on ${app.name} by ${addon.name}.`);
    }
    detachForReplacement(ctx, taken, app);
  }
  const att = newAttachment(addon.id, app.id, name, namespace as string | null, store.nowIso());
  store.state.attachments.push(att);
  store.save();
  recordRelease(core, app, user, `Attach ${name} (@ref:${addon.name})`);
  return { status: 201, json: attachmentView(core, att) };
}

export function attachmentRoutes(r: Router): void {
  r.add("POST", "/addon-attachments", "platform", create);
  r.add("GET", "/addon-attachments", "platform", ({ core, user, headers }) => {
    const appIds = new Set(core.store.teamApps(user).map((a) => a.id));
    const include = inclusions(headers["accept-inclusion"]);
    return {
      status: 200,
      list: core.store.state.attachments
        .filter((a) => appIds.has(a.appId))
        .map((a) => attachmentView(core, a, include)),
    };
  });
  r.add("GET", "/apps/:app/addon-attachments", "platform", ({ core, user, params, headers }) => {
    const app = core.store.visibleApp(user, params.app!);
    const include = inclusions(headers["accept-inclusion"]);
    return { status: 200, list: core.store.attachmentsOfApp(app.id).map((a) => attachmentView(core, a, include)) };
  });
  r.add("GET", "/apps/:app/addon-attachments/:attachment", "platform", ({ core, user, params, headers }) => {
    const app = core.store.visibleApp(user, params.app!);
    const att = core.store
      .attachmentsOfApp(app.id)
      .find((a) => a.name === params.attachment || a.id === params.attachment);
    if (!att) throw notFound("add-on attachment");
    return { status: 200, json: attachmentView(core, att, inclusions(headers["accept-inclusion"])) };
  });
  r.add("GET", "/addons/:addon/addon-attachments", "platform", ({ core, user, params, headers }) => {
    const addon = core.store.visibleAddon(user, params.addon!);
    const include = inclusions(headers["accept-inclusion"]);
    return { status: 200, list: core.store.attachmentsOfAddon(addon.id).map((a) => attachmentView(core, a, include)) };
  });
  r.add("GET", "/addon-attachments/:attachment", "platform", ({ core, user, params }) => {
    const att = core.store.state.attachments.find((a) => a.id === params.attachment);
    if (!att) throw notFound("add-on attachment");
    core.store.visibleApp(user, att.appId);
    return { status: 200, json: attachmentView(core, att) };
  });
  r.add("DELETE", "/addon-attachments/:attachment", "platform", ({ core, user, params }) => {
    const att = core.store.state.attachments.find((a) => a.id === params.attachment);
    if (!att) throw notFound("add-on attachment");
    const app = core.store.visibleApp(user, att.appId);
    core.store.state.attachments = core.store.state.attachments.filter((a) => a !== att);
    core.store.save();
    const addon = core.store.state.addons.find((a) => a.id === att.addonId);
    recordRelease(core, app, user, `Detach ${att.name} (@ref:${addon?.name ?? att.addonId})`);
    return { status: 200, json: attachmentView(core, att) };
  });
}
