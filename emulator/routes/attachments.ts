import { attachmentNameTaken, newAttachment } from "../domain/addons";
import { defaultAttachmentName, ATTACHMENT_NAME } from "../domain/naming";
import { attachmentView } from "../domain/views";
import { ApiError, invalid, notFound } from "../http/errors";
import type { Router } from "../http/router";
import type { Ctx } from "../http/types";

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

function create(ctx: Ctx): { status: number; json: unknown } {
  const { core, user, body } = ctx;
  const store = core.store;
  const addon = store.visibleAddon(user, ref(body.addon, "addon"));
  const app = store.visibleApp(user, ref(body.app, "app"));
  if (addon.state === "deprovisioning" || addon.state === "deprovisioned") throw notFound("add-on");
  const namespace = body.namespace ?? null;
  if (namespace !== null) {
    // Credentials are not emulated yet, so no credential namespace can resolve to a role.
    throw new ApiError(
      "invalid_params",
      `Could not find credential ${String(namespace).replace(/^credential:/, "")} for database ${addon.name}.`,
    );
  }
  let name: string;
  if (body.name !== undefined && body.name !== null) {
    if (typeof body.name !== "string" || !ATTACHMENT_NAME.test(body.name)) {
      throw invalid("name must be upper case letters, digits and underscores, starting with a letter.");
    }
    name = body.name;
  } else {
    name = defaultAttachmentName(new Set(store.attachmentsOfApp(app.id).map((a) => a.name)), false);
  }
  if (attachmentNameTaken(core, app.id, name)) throw invalid(`${name} is already taken on ${app.name}.`);
  const att = newAttachment(addon.id, app.id, name, null, store.nowIso());
  store.state.attachments.push(att);
  store.save();
  return { status: 201, json: attachmentView(core, att) };
}

export function attachmentRoutes(r: Router): void {
  r.add("POST", "/addon-attachments", "platform", create);
  r.add("GET", "/addon-attachments", "platform", ({ core, user }) => {
    const appIds = new Set(core.store.teamApps(user).map((a) => a.id));
    return {
      status: 200,
      list: core.store.state.attachments.filter((a) => appIds.has(a.appId)).map((a) => attachmentView(core, a)),
    };
  });
  r.add("GET", "/apps/:app/addon-attachments", "platform", ({ core, user, params }) => {
    const app = core.store.visibleApp(user, params.app!);
    return { status: 200, list: core.store.attachmentsOfApp(app.id).map((a) => attachmentView(core, a)) };
  });
  r.add("GET", "/apps/:app/addon-attachments/:attachment", "platform", ({ core, user, params }) => {
    const app = core.store.visibleApp(user, params.app!);
    const att = core.store
      .attachmentsOfApp(app.id)
      .find((a) => a.name === params.attachment || a.id === params.attachment);
    if (!att) throw notFound("add-on attachment");
    return { status: 200, json: attachmentView(core, att) };
  });
  r.add("GET", "/addons/:addon/addon-attachments", "platform", ({ core, user, params }) => {
    const addon = core.store.visibleAddon(user, params.addon!);
    return { status: 200, list: core.store.attachmentsOfAddon(addon.id).map((a) => attachmentView(core, a)) };
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
    core.store.visibleApp(user, att.appId);
    core.store.state.attachments = core.store.state.attachments.filter((a) => a !== att);
    core.store.save();
    return { status: 200, json: attachmentView(core, att) };
  });
}
