import type { Core } from "../core";
import type { Addon, Attachment } from "../store/types";

/**
 * The add-on's connection URL for an attachment. Only the default credential exists so far; credential
 * namespaces ("credential:N") will resolve to that credential's role here.
 */
export function connectionUrl(core: Core, addon: Addon, _attachment?: Attachment): string {
  const { user, password, database } = addon.db;
  if (addon.mtls?.status === "Operational" || addon.mtls?.status === "Deprovisioning") {
    // mTLS: the database is reachable only through its own TLS endpoint (README: Differences from Heroku).
    return `postgres://${user}:${password}@127.0.0.1:${addon.mtls.endpointPort}/${database}?sslmode=require`;
  }
  if (addon.enhancedCertificates === "Enabled") {
    // Enhanced Certificates: the server certificate names localhost and chains to the public root (seed 001).
    return `postgres://${user}:${password}@localhost:${core.pgPort}/${database}?sslmode=verify-full&sslrootcert=${core.publicRootPath}`;
  }
  return `postgres://${user}:${password}@127.0.0.1:${core.pgPort}/${database}?sslmode=require`;
}

/** <NAME>_URL for every attachment on the app whose add-on is provisioned (vars appear once provisioning ends). */
export function attachmentConfigVars(core: Core, appId: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const att of core.store.attachmentsOfApp(appId)) {
    const addon = core.store.state.addons.find((a) => a.id === att.addonId);
    if (addon?.state === "provisioned") vars[`${att.name}_URL`] = connectionUrl(core, addon, att);
  }
  return vars;
}

export function appConfigVars(core: Core, appId: string): Record<string, string> {
  return { ...(core.store.state.configVars[appId] ?? {}), ...attachmentConfigVars(core, appId) };
}
