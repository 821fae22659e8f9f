import {
  credentialNameProblem,
  MAX_CREDENTIALS_PER_DATABASE,
  PERMISSION_LEVELS,
} from "../provider/credential/validation";
import { findCidrConflicts, MAX_IP_RULES_PER_DATABASE, parseIpv4Cidr } from "../provider/ip-rule/validation";
import { certificateNameProblem } from "../provider/mtls-config/validation";
import { echo, MAX_ECHOED_CHARACTERS } from "../provider/shared/check";
import { isPrivateOrShieldPlan, POSTGRES_PLAN_PREFIX } from "../provider/shared/plans";

/**
 * Whole-posture checks of a SecurePostgres, run when the component is constructed, so `pulumi preview` fails
 * before any child is registered. Per-field rules stay in each resource's own check; these are the ones only the
 * component can see: counts across children, duplicates, and combinations. Values still unknown at preview
 * (outputs of other resources) are skipped here and checked by the children.
 */
export interface PostureFacts {
  plan: string;
  byok: boolean;
  mtls: boolean;
  enhancedCertificates: boolean;
  cidrs: string[];
  clientCertificates: string[];
  credentials: Record<string, { permissions?: string }>;
  keyMigration?: string;
}

/** The phases of a SecurePostgres key migration, in order. */
export const KEY_MIGRATION_PHASES: readonly string[] = ["follow", "promote", "done"];

/** Customer keys and mTLS only on Private and Shield databases (provider/shared/plans.ts). */
const privateOrShield = (plan: string): boolean => plan.startsWith(POSTGRES_PLAN_PREFIX) && isPrivateOrShieldPlan(plan);

export function postureProblems(f: PostureFacts): string[] {
  const problems: string[] = [];
  if (f.byok && !privateOrShield(f.plan)) {
    problems.push(
      `plan: a customer encryption key needs a heroku-postgresql:private-* or shield-* plan, not ${f.plan}`,
    );
  }
  if (f.mtls && !privateOrShield(f.plan)) {
    problems.push(`plan: mutual TLS needs a heroku-postgresql:private-* or shield-* plan, not ${f.plan}`);
  }
  // Dev Center's Enhanced Certificates article (docs/heroku-api.md): "Enhanced certificates are currently incompatible with mTLS."
  if (f.mtls && f.enhancedCertificates) {
    problems.push(
      "enhancedCertificates: Enhanced Certificates cannot be used together with mutual TLS (allowedCidrs or clientCertificates); turn one off",
    );
  }
  if (f.cidrs.length > MAX_IP_RULES_PER_DATABASE) {
    problems.push(
      `allowedCidrs: ${f.cidrs.length} CIDRs given, but Heroku allows at most ${MAX_IP_RULES_PER_DATABASE} per database`,
    );
  }
  for (const cidr of f.cidrs) {
    const parsed = parseIpv4Cidr(cidr);
    if (!parsed.ok) problems.push(`allowedCidrs: ${parsed.reason}`);
  }
  for (const conflict of findCidrConflicts(f.cidrs)) {
    if (conflict.kind === "duplicate") problems.push(`allowedCidrs: ${conflict.message}`);
  }
  const certNames = new Set<string>();
  for (const name of f.clientCertificates) {
    const problem = certificateNameProblem(name);
    if (problem) problems.push(`clientCertificates: ${problem}`);
    if (certNames.has(name)) problems.push(`clientCertificates: ${name} is listed twice`);
    certNames.add(name);
  }
  if (f.keyMigration !== undefined) {
    if (!KEY_MIGRATION_PHASES.includes(f.keyMigration)) {
      problems.push(
        `keyMigration must be one of ${KEY_MIGRATION_PHASES.join(", ")}, got ${JSON.stringify(f.keyMigration)}`,
      );
    }
    if (!f.byok) {
      problems.push(
        "keyMigration moves the database onto a customer key: set customerKey (or existingKeyArn), not false",
      );
    }
    // The new database needs its own endpoint, allowlist and credentials before clients can move to it.
    if (f.mtls) {
      problems.push(
        "keyMigration: not yet with mutual TLS (allowedCidrs, clientCertificates); add them once keyMigration is done",
      );
    }
    if (Object.keys(f.credentials).length > 0) {
      problems.push("keyMigration: not yet with named credentials; add them once keyMigration is done");
    }
  }
  const names = Object.keys(f.credentials);
  // The default credential counts towards the limit (Dev Center's "Heroku Postgres Credentials" (docs/heroku-api.md), "Limits").
  if (names.length + 1 > MAX_CREDENTIALS_PER_DATABASE) {
    problems.push(
      `credentials: ${names.length} credentials plus the default one exceed Heroku's limit of ${MAX_CREDENTIALS_PER_DATABASE} per database`,
    );
  }
  for (const name of names) {
    // A key is part of the field's name; a long one is cut like any echoed value.
    const field = `credentials.${name.length > MAX_ECHOED_CHARACTERS ? `[${echo(name)}]` : name}`;
    const problem = credentialNameProblem(name);
    if (problem) problems.push(`${field}: ${problem}`);
    const level = f.credentials[name]?.permissions;
    if (level !== undefined && !(PERMISSION_LEVELS as readonly string[]).includes(level)) {
      problems.push(`${field}.permissions must be one of ${PERMISSION_LEVELS.join(", ")}, got ${echo(level)}`);
    }
  }
  return problems;
}
