import { herokuClient } from "./client";

/** docs/heroku-api.md section 4.3. */
export type AddonState = "provisioning" | "provisioned" | "deprovisioning" | "deprovisioned";

export interface Addon {
  id: string;
  name: string;
  state: AddonState | string;
  app: { id: string; name: string };
  addon_service: { id?: string; name: string };
  plan: { id?: string; name: string };
  config_vars?: string[];
  provision_message?: string | null;
  created_at?: string;
}

export interface Attachment {
  id: string;
  name: string;
  namespace?: string | null;
  addon: { id: string; name: string; app?: { id?: string; name: string } };
  app: { id?: string; name: string };
  created_at?: string;
}

/** docs/heroku-api.md section 4.1: plan as `{name}`, config values as strings or booleans. */
export interface CreateAddonBody {
  plan: { name: string };
  name?: string;
  attachment: { name?: string };
  config?: Record<string, string | boolean>;
}

/** docs/heroku-api.md section 4.9: the Platform API plan object, only the fields we read. */
export interface Plan {
  id?: string;
  name: string;
  state?: string;
}

/** Every plan of an add-on service (`GET /addon-services/{service}/plans`), read-only. */
export function listPlans(service: string): Promise<Plan[]> {
  return herokuClient().list<Plan>("platform", `/addon-services/${encodeURIComponent(service)}/plans`);
}

const path = (app: string, addon?: string): string =>
  `/apps/${encodeURIComponent(app)}/addons${addon === undefined ? "" : `/${encodeURIComponent(addon)}`}`;

/** Not repeated on an ambiguous failure: the caller reads back (by name or by listing) first. */
export async function createAddon(app: string, body: CreateAddonBody): Promise<Addon> {
  const res = await herokuClient().request<Addon>({
    api: "platform",
    method: "POST",
    path: path(app),
    body,
    // docs/heroku-api.md section 4.1: the CLI sends these; the second keeps provision_message readable.
    headers: { "Accept-Expansion": "plan", "X-Heroku-Legacy-Provider-Messages": "true" },
  });
  return res.data;
}

export function getAddon(app: string, addon: string): Promise<Addon> {
  return herokuClient().get<Addon>("platform", path(app, addon), { "Accept-Expansion": "addon_service,plan" });
}

/** By id or name, without knowing the app (for adoption). */
export function getAddonGlobal(addon: string): Promise<Addon> {
  return herokuClient().get<Addon>("platform", `/addons/${encodeURIComponent(addon)}`, {
    "Accept-Expansion": "addon_service,plan",
  });
}

export function listAddons(app: string): Promise<Addon[]> {
  return herokuClient().list<Addon>("platform", path(app));
}

export function listAppAttachments(app: string): Promise<Attachment[]> {
  return herokuClient().list<Attachment>("platform", `/apps/${encodeURIComponent(app)}/addon-attachments`);
}

/**
 * docs/heroku-api.md section 4.7: what `heroku addons:upgrade` sends. Repeating it with the same plan changes
 * nothing, so the client may retry it; callers still read the add-on first and only PATCH a plan it lacks.
 */
export async function changeAddonPlan(app: string, addon: string, plan: string): Promise<Addon> {
  const res = await herokuClient().request<Addon>({
    api: "platform",
    method: "PATCH",
    path: path(app, addon),
    body: { plan: { name: plan } },
    headers: { "Accept-Expansion": "plan" },
  });
  return res.data;
}

/**
 * docs/heroku-api.md section 4.5: attaches an add-on to an app, as `pg:promote` does (`confirm` lets a `DATABASE`
 * attachment move to another add-on). Not repeated blindly after an ambiguous failure: the caller reads back.
 */
export async function attachAddon(app: string, addon: string, name?: string): Promise<Attachment> {
  const res = await herokuClient().request<Attachment>({
    api: "platform",
    method: "POST",
    path: "/addon-attachments",
    body: { addon: { name: addon }, app: { name: app }, confirm: app, namespace: null, ...(name ? { name } : {}) },
  });
  return res.data;
}

/** DELETE is idempotent in effect (404 afterwards), so the client may retry it. */
export async function deleteAddon(app: string, addonId: string): Promise<void> {
  await herokuClient().request({ api: "platform", method: "DELETE", path: path(app, addonId), body: { force: false } });
}
