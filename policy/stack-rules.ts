// The one judgement that needs more than one resource: a database reached from outside Heroku must have mTLS (an
// MtlsConfig on it) or Enhanced Certificates. An MtlsConfig is matched to its database through the engine's
// property dependencies, which are known even while the database is being created and its id is not.
import { planTier } from "../provider/secure-database/validation";
import type { ExternalAccessConfig } from "./config";
import type { ResourceView } from "./rules";
import { UNKNOWN } from "./settle";

export interface StackResourceView extends ResourceView {
  urn: string;
  /** URNs of the resources the `database` input was computed from. */
  databaseDependsOn: string[];
}

/** The names a database can be referred to by in a child's `database` input, where they are known. */
function spellings(db: StackResourceView): string[] {
  return [db.props.name, db.props.addonName, db.props.addonId].filter((v): v is string => typeof v === "string");
}

function hasMtls(db: StackResourceView, all: StackResourceView[]): boolean {
  return all.some(
    (r) =>
      r.kind === "MtlsConfig" &&
      (r.databaseDependsOn.includes(db.urn) ||
        (typeof r.props.database === "string" && spellings(db).includes(r.props.database))),
  );
}

export function checkExternalAccess(resources: StackResourceView[], cfg: ExternalAccessConfig): [string, string[]][] {
  const out: [string, string[]][] = [];
  for (const db of resources.filter((r) => r.kind === "SecureDatabase")) {
    const tier = typeof db.props.plan === "string" ? planTier(db.props.plan) : undefined;
    const publicTier = tier !== undefined && cfg.publicTiers.includes(tier);
    const declared = cfg.externalDatabases.includes("*") || cfg.externalDatabases.includes(db.name);
    if (!publicTier && !declared) continue;
    const ec = db.props.enhancedCertificates;
    if (ec === true || ec === UNKNOWN || hasMtls(db, resources)) continue;
    const why = publicTier
      ? `is on ${String(db.props.plan)}, which accepts connections from the internet`
      : "is listed in this stack's externalDatabases";
    const fix = publicTier
      ? "set enhancedCertificates: true (clients then verify the server with sslmode=verify-full)"
      : "add an MtlsConfig for it with a certificate per external client (SecurePostgres: clientCertificates), " +
        "or set enhancedCertificates: true";
    out.push([
      db.urn,
      [`SecureDatabase "${db.name}" ${why}, but has neither mTLS nor Enhanced Certificates. Fix: ${fix}.`],
    ]);
  }
  return out;
}
