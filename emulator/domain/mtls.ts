import * as crypto from "node:crypto";
import type { Core } from "../core";
import { ApiError, invalid } from "../errors";
import { hasHostBits, parseIpv4Block } from "../mtls/cidr";
import { issueClientCertificate, makeDatabaseCas, RENEWAL_LEAD_MS } from "../mtls/pki";
import { mtlsRuntime } from "../mtls/runtime";
import type { IpRuleRecord, MtlsCertificate, MtlsRecord } from "../mtls/types";
import type { Addon, User } from "../store/types";
import { isPrivateOrShield, parsePlan } from "./plans";

/** Dev Center (Dev Center's mTLS article (docs/heroku-api.md), step 3): "A hard limit of 60 IP blocks can be allowlisted per Postgres database." */
export const MAX_IP_RULES = 60;

export const mtlsNotEnabled = (addon: Addon): ApiError =>
  new ApiError("not_found", `mTLS is not enabled for database ${addon.name}.`);

/** POST tls-endpoint: Private/Shield only, never with Enhanced Certificates; makes the CAs and one certificate. */
export function enableMtls(core: Core, user: User, addon: Addon): MtlsRecord {
  if (addon.state !== "provisioned") {
    throw new ApiError("unprocessable_entity", `${addon.name} is not available yet (state ${addon.state}).`);
  }
  if (!isPrivateOrShield(parsePlan(addon.plan))) {
    throw new ApiError(
      "unprocessable_entity",
      `mTLS is only available for Private and Shield databases; ${addon.name} is on ${addon.plan}.`,
    );
  }
  if (addon.enhancedCertificates !== "Disabled") {
    throw new ApiError(
      "unprocessable_entity",
      `mTLS cannot be enabled on ${addon.name} while Enhanced Certificates are ${addon.enhancedCertificates}: the two cannot be used together. Disable Enhanced Certificates first.`,
    );
  }
  if (addon.mtls) {
    throw new ApiError("unprocessable_entity", `mTLS is already ${addon.mtls.status} for database ${addon.name}.`);
  }
  const now = core.store.now();
  const record: MtlsRecord = {
    status: "Provisioning",
    enabledBy: user.email,
    createdAt: now,
    ...makeDatabaseCas(addon.name),
    certificates: [],
    ipRules: [],
    pending: [],
  };
  core.store.machines.begin(record, "mtls", "status", "Operational");
  addCertificate(core, addon, record);
  addon.mtls = record;
  core.store.save();
  return record;
}

/** DELETE tls-endpoint: Deprovisioning, then the record goes and the database's earlier access returns. */
export function disableMtls(core: Core, addon: Addon): MtlsRecord {
  const record = addon.mtls;
  if (!record) throw mtlsNotEnabled(addon);
  if (record.status !== "Deprovisioning") {
    record.status = "Deprovisioning";
    core.store.machines.begin(record, "mtls", "status", "gone");
    core.store.save();
  }
  return record;
}

export function addCertificate(core: Core, addon: Addon, record: MtlsRecord, ready = false): MtlsCertificate {
  const now = core.store.now();
  const id = crypto.randomUUID();
  const issued = issueClientCertificate(record.clientCa, `${addon.name} client ${id.slice(0, 8)}`, now);
  const cert: MtlsCertificate = {
    id,
    name: `${addon.name}-${id.slice(0, 8)}`,
    status: ready ? "ready" : "pending",
    createdAt: now,
    updatedAt: now,
    expiresAt: issued.expiresAt,
    serial: issued.serial,
    keyPem: issued.keyPem,
    chainPem: issued.chainPem,
    pending: [],
  };
  if (!ready) core.store.machines.begin(cert, "certificate", "status", "ready");
  record.certificates.push(cert);
  return cert;
}

/** DELETE of a certificate revokes it at once (the endpoint refuses it), then it shows disabling -> disabled. */
export function revokeCertificate(core: Core, cert: MtlsCertificate): MtlsCertificate {
  if (cert.status !== "disabling" && cert.status !== "disabled") {
    cert.status = "disabling";
    cert.updatedAt = core.store.now();
    core.store.machines.begin(cert, "certificate", "status", "disabled");
    core.store.save();
  }
  return cert;
}

/** The rules Heroku's docs state for CIDRs (Dev Center's mTLS article (docs/heroku-api.md), step 3): x.x.x.x/N, octets 0-255. Host bits must be zero. */
export function cidrProblem(cidr: unknown): string | undefined {
  if (typeof cidr !== "string") return "cidr is required, like 1.2.3.4/32.";
  const block = parseIpv4Block(cidr);
  if (!block) {
    return `cidr ${JSON.stringify(cidr)} is not an IPv4 CIDR block like 1.2.3.4/32 (octets 0-255, prefix 0-32).`;
  }
  if (hasHostBits(block)) return `cidr ${cidr} has host bits set below /${block.prefix}.`;
  return undefined;
}

export function addIpRule(core: Core, addon: Addon, record: MtlsRecord, body: Record<string, unknown>): IpRuleRecord {
  if (record.status === "Deprovisioning") {
    throw new ApiError("unprocessable_entity", `mTLS is being disabled for database ${addon.name}.`);
  }
  const problem = cidrProblem(body.cidr);
  if (problem) throw invalid(problem);
  const cidr = body.cidr as string;
  if (body.description !== undefined && body.description !== null && typeof body.description !== "string") {
    throw invalid("description must be a string.");
  }
  if (record.ipRules.some((r) => r.cidr === cidr)) {
    throw invalid(`${cidr} is already allowlisted for database ${addon.name}.`);
  }
  if (record.ipRules.length >= MAX_IP_RULES) {
    throw invalid(`Database ${addon.name} already has ${MAX_IP_RULES} IP rules, the most allowed per database.`);
  }
  const now = core.store.now();
  const rule: IpRuleRecord = {
    id: crypto.randomUUID(),
    cidr,
    description: typeof body.description === "string" ? body.description : "",
    status: "Authorizing",
    createdAt: now,
    updatedAt: now,
    pending: [],
  };
  core.store.machines.begin(rule, "ip-rule", "status", "Authorized");
  record.ipRules.push(rule);
  core.store.save();
  return rule;
}

/**
 * Advances the mTLS machines of one add-on (counting a poll of `observed`, the object a client just read) and
 * renews certificates due within 75 days of expiry. Returns true when the endpoint or pg_hba may need to change.
 */
export function settleMtls(core: Core, addon: Addon, observed?: object | ReadonlySet<object>): boolean {
  const record = addon.mtls;
  if (!record) return false;
  const engine = core.store.machines;
  const seen = (obj: object): boolean => (observed instanceof Set ? observed.has(obj) : obj === observed);
  const step = <T extends { pending: MtlsRecord["pending"] }>(obj: T): number =>
    (seen(obj) ? engine.observe(obj) : engine.settle(obj)).length;
  let changed = false;
  const now = core.store.now();
  const fired = seen(record) ? engine.observe(record) : engine.settle(record);
  if (fired.some((f) => f.to === "gone")) {
    delete addon.mtls;
    core.store.save();
    return true;
  }
  if (fired.length > 0) changed = true;
  for (const cert of [...record.certificates]) {
    if (step(cert) > 0) cert.updatedAt = now;
    if (cert.status === "ready" && !cert.renewedBy && now >= cert.expiresAt - RENEWAL_LEAD_MS) {
      cert.renewedBy = addCertificate(core, addon, record, true).id;
      changed = true;
    }
  }
  for (const rule of record.ipRules) {
    if (step(rule) > 0) {
      rule.updatedAt = now;
      changed = true;
    }
  }
  if (changed || fired.length > 0) core.store.save();
  return changed;
}

/** Background: time-driven transitions and renewals of every add-on (the caller reconciles endpoints). */
export function settleAllMtls(core: Core): void {
  for (const addon of core.store.state.addons) settleMtls(core, addon);
}

export function timestamp(core: Core, ms: number): string {
  const iso = new Date(ms).toISOString();
  if (mtlsRuntime(core).options.timestampFormat === "iso") return iso.replace("Z", "+00:00");
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000`;
}

export function ipRuleView(core: Core, rule: IpRuleRecord): Record<string, unknown> {
  return {
    id: rule.id,
    cidr: rule.cidr,
    description: rule.description,
    status: rule.status,
    created_at: timestamp(core, rule.createdAt),
    updated_at: timestamp(core, rule.updatedAt),
  };
}

export function mtlsView(core: Core, addon: Addon, record: MtlsRecord): Record<string, unknown> {
  const app = core.store.appById(addon.appId);
  return {
    app: app?.name ?? null,
    addon: addon.name,
    status: record.status,
    enabled_by: record.enabledBy,
    certificate_authority_chain: record.serverCa.certPem,
    active_ip_rules: record.ipRules.filter((r) => r.status === "Authorized").map((r) => ipRuleView(core, r)),
  };
}

/** The list omits private_key and certificate_with_chain; GET by id of a ready certificate has both. */
export function certificateView(core: Core, cert: MtlsCertificate, full: boolean): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: cert.id,
    name: cert.name,
    created_at: timestamp(core, cert.createdAt),
    updated_at: timestamp(core, cert.updatedAt),
    expires_at: cert.status === "pending" ? null : timestamp(core, cert.expiresAt),
    status: cert.status,
  };
  if (full) {
    const ready = cert.status === "ready";
    view.private_key = ready ? cert.keyPem : null;
    view.certificate_with_chain = ready ? cert.chainPem : null;
  }
  return view;
}
