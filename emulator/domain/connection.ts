import type { Core } from "../core";
import type { Addon, Attachment } from "../store/types";
import { credentialLogin } from "./credentials";
import { credentialSource } from "./followers";

/**
 * Where the database is reached: host, port and the URL's query (TLS mode), as every credential's URL uses them.
 * The port is always the database's own front door, whatever mTLS does, so the URL stays the same for its life.
 */
export function connectionTarget(core: Core, addon: Addon): { host: string; port: number; query: string } {
  if (addon.enhancedCertificates === "Enabled") {
    // Enhanced Certificates: the server certificate names localhost and chains to the public root (Dev Center's Enhanced Certificates article (docs/heroku-api.md)); the
    // front door pipes PostgreSQL's own TLS through untouched, so verify-full checks PostgreSQL's certificate.
    return {
      host: "localhost",
      port: addon.frontDoorPort,
      query: `sslmode=verify-full&sslrootcert=${core.publicRootPath}`,
    };
  }
  return { host: "127.0.0.1", port: addon.frontDoorPort, query: "sslmode=require" };
}

/** The database's address without credentials (Data API `resource_url`; `following` names a leader by it). */
export function resourceUrl(core: Core, addon: Addon): string {
  const { host, port } = connectionTarget(core, addon);
  return `postgres://${host}:${port}/${addon.db.database}`;
}

/**
 * The add-on's connection URL for an attachment: the default credential's, or for a "credential:N" namespace the
 * active user and password of credential N (during a rotation, the -rotating user).
 */
export function connectionUrl(core: Core, addon: Addon, attachment?: Attachment): string {
  // A follower's roles are its leader's (domain/followers.ts): its URLs carry the leader's users and passwords.
  const source = credentialSource(core, addon);
  const login = credentialLogin(source, attachment?.namespace ?? null) ?? source.db;
  return credentialUrl(core, addon, login.user, login.password);
}

export function credentialUrl(core: Core, addon: Addon, user: string, password: string): string {
  const { host, port, query } = connectionTarget(core, addon);
  return `postgres://${encodeURIComponent(user)}:${password}@${host}:${port}/${addon.db.database}?${query}`;
}

/** <NAME>_URL for every attachment on the app whose add-on is provisioned (vars appear once provisioning ends). */
export function attachmentConfigVars(core: Core, appId: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const att of core.store.attachmentsOfApp(appId)) {
    const addon = core.store.state.addons.find((a) => a.id === att.addonId);
    // A namespaced attachment whose credential is not (or no longer) active sets no var.
    if (addon?.state === "provisioned" && credentialLogin(credentialSource(core, addon), att.namespace)) {
      vars[`${att.name}_URL`] = connectionUrl(core, addon, att);
    }
  }
  return vars;
}

export function appConfigVars(core: Core, appId: string): Record<string, string> {
  return { ...(core.store.state.configVars[appId] ?? {}), ...attachmentConfigVars(core, appId) };
}
