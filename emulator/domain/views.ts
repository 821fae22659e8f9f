import type { Core } from "../core";
import { regionId } from "../store/regions";
import type { Addon, App, Attachment } from "../store/types";
import { credentialLogin } from "./credentials";
import { credentialSource } from "./followers";
import { monthlyCents, parsePlan, SERVICE_NAME, stableId } from "./plans";

/** Wire shapes of the Platform API (docs/heroku-api.md 4.3, 4.4; HGO field names). */

const ref = (o: { id: string; name: string }): { id: string; name: string } => ({ id: o.id, name: o.name });

export function appView(core: Core, app: App): Record<string, unknown> {
  const space = core.store.space(app.space);
  const region = space ? space.region : (app.region ?? "us");
  const team = core.store.state.teams.find((t) => t.name === app.team);
  return {
    id: app.id,
    name: app.name,
    space: space ? { id: space.id, name: space.name, shield: space.shield } : null,
    region: { id: regionId(region), name: region },
    // The Platform API reports the app's generation (heroku/cli `src/lib/apps/generation.ts` reads
    // `generation.name`); Common Runtime apps are Cedar.
    generation: { id: stableId(space?.generation ?? "cedar"), name: space?.generation ?? "cedar" },
    team: team ? ref(team) : null,
    organization: team ? ref(team) : null,
    // Team apps are owned by the team's pseudo-user, as on Heroku (`heroku apps` groups by owner.email).
    owner: team ? { id: team.id, email: `${team.name}@herokumanager.com` } : null,
    stack: { id: stableId("heroku-24"), name: "heroku-24" },
    build_stack: { id: stableId("heroku-24"), name: "heroku-24" },
    internal_routing: false,
    maintenance: app.maintenance ?? false,
    acm: false,
    git_url: `https://git.heroku.com/${app.name}.git`,
    web_url: `https://${app.name}.herokuapp.com/`,
    created_at: app.createdAt,
    updated_at: app.updatedAt ?? app.createdAt,
    released_at: app.createdAt,
  };
}

export function addonView(core: Core, addon: Addon): Record<string, unknown> {
  const app = core.store.appById(addon.appId);
  const appRef = { id: addon.appId, name: app?.name ?? "" };
  const plan = parsePlan(addon.plan);
  const configVars =
    addon.state === "provisioned"
      ? core.store
          .attachmentsOfAddon(addon.id)
          .filter((a) => a.appId === addon.appId)
          .map((a) => `${a.name}_URL`)
      : [];
  return {
    id: addon.id,
    name: addon.name,
    state: addon.state,
    app: appRef,
    addon_service: { id: stableId(SERVICE_NAME), name: SERVICE_NAME },
    // With Accept-Expansion: plan the CLI prints plan.price (addons:info "Max Price").
    plan: {
      id: stableId(plan.name),
      name: plan.name,
      price: { cents: monthlyCents(plan), contract: false, unit: "month" },
    },
    config_vars: configVars,
    billing_entity: { ...appRef, type: "app" },
    billed_price: { cents: monthlyCents(plan), contract: false, unit: "month" },
    provider_id: `resource${addon.id.replace(/-/g, "").slice(0, 8)}@heroku.com`,
    // Only a failed create carries a message (CLI11 prints provision_message when present).
    provision_message: addon.state === "deprovisioned" ? (addon.provisionMessage ?? null) : null,
    actions: [],
    web_url: `https://addons-sso.heroku.com/apps/${appRef.id}/addons/${addon.id}`,
    created_at: addon.createdAt,
    updated_at: addon.updatedAt,
  };
}

/**
 * The `Accept-Inclusion` header the CLI's resolvers send, "addon:plan,config_vars" (@heroku/heroku-cli-util
 * `attachment-resolver.js`): `addon:plan` puts the plan inside the attachment's add-on, `config_vars` puts the
 * attachment's own config var names on the attachment, where `getConfigVarNameFromAttachment` reads them.
 */
export function inclusions(header: string | string[] | undefined): Set<string> {
  const text = Array.isArray(header) ? header.join(",") : (header ?? "");
  return new Set(text.split(/[,\s]+/).filter((t) => t !== ""));
}

/** The config vars an attachment sets: `<NAME>_URL` whenever the app has it (domain/connection.ts decides). */
export function attachmentConfigVarNames(core: Core, att: Attachment): string[] {
  const addon = core.store.state.addons.find((a) => a.id === att.addonId);
  return addon?.state === "provisioned" && credentialLogin(credentialSource(core, addon), att.namespace)
    ? [`${att.name}_URL`]
    : [];
}

export function attachmentView(core: Core, att: Attachment, include = new Set<string>()): Record<string, unknown> {
  const addon = core.store.state.addons.find((a) => a.id === att.addonId);
  const app = core.store.appById(att.appId);
  const addonApp = addon ? core.store.appById(addon.appId) : undefined;
  const plan = addon && include.has("addon:plan") ? addonView(core, addon).plan : undefined;
  return {
    id: att.id,
    name: att.name,
    namespace: att.namespace,
    addon: {
      id: att.addonId,
      name: addon?.name ?? "",
      app: { id: addon?.appId ?? "", name: addonApp?.name ?? "" },
      ...(plan ? { plan } : {}),
    },
    app: { id: att.appId, name: app?.name ?? "" },
    ...(include.has("config_vars") ? { config_vars: attachmentConfigVarNames(core, att) } : {}),
    log_input_url: null,
    web_url: `https://addons-sso.heroku.com/apps/${att.appId}/addons/${att.addonId}`,
    created_at: att.createdAt,
    updated_at: att.updatedAt,
  };
}
