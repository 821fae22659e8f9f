import { isPrivateOrShieldPlan, PRIVATE_OR_SHIELD_TIERS } from "../shared/plans";
import { type CheckFailure, echo, Failures, isUnknown } from "../shared/check";
import { checkTimeouts } from "../shared/timeouts";
import type { MtlsConfigInputs } from "./types";

// Certificate names are ours (Heroku's certificates have only ids), so we pick the credential-name rule from
// Dev Center's "Heroku Postgres Credentials" (docs/heroku-api.md): letters, digits, "-" and "_", at most 50. They key outputs and become file prefixes.
export const MAX_CLIENT_CERTIFICATE_NAME_LENGTH = 50;
export const CLIENT_CERTIFICATE_NAME_PATTERN = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_CLIENT_CERTIFICATE_NAME_LENGTH}}$`);
// Enabling mTLS always makes one certificate (docs/heroku-api.md 1.1), which takes the first name; a config with no
// name would have to revoke it and leave nobody able to connect, so at least one is required.
export const MIN_CLIENT_CERTIFICATES = 1;
// Heroku documents no limit on client certificates; 20 per database is our guard against runaway lists.
export const MAX_CLIENT_CERTIFICATES = 20;
/** Dev Center's mTLS article (docs/heroku-api.md), "Overview": "This feature is only available for Private and Shield Postgres databases." */
export const MTLS_PLAN_TIERS: readonly string[] = PRIVATE_OR_SHIELD_TIERS;

/** The database facts the hook reads before enabling mTLS (add-on plan, Enhanced Certificates status). */
export interface MtlsDatabaseFacts {
  database: string;
  /** `heroku-postgresql:private-0` or the bare `private-0`. */
  plan: string;
  /** `Enabled`, `Disabled`, `Provisioning`, `Deprovisioning` (docs/heroku-api.md 3.1); undefined when unknown. */
  enhancedCertificates?: string;
}

export { isPrivateOrShieldPlan, planTier } from "../shared/plans";

/**
 * The database-level rules, checked against facts read from the API: Private/Shield only (Dev Center's mTLS article (docs/heroku-api.md)) and never
 * with Enhanced Certificates (contract notes; mutually exclusive on Heroku). Failures are reported on `database`.
 */
export function checkMtlsDatabase(facts: MtlsDatabaseFacts): CheckFailure[] {
  const failures: CheckFailure[] = [];
  if (!isPrivateOrShieldPlan(facts.plan)) {
    failures.push({
      property: "database",
      reason: `database ${facts.database} is on plan ${facts.plan}; mTLS is only available on Private and Shield plans (heroku-postgresql:private-* or heroku-postgresql:shield-*)`,
    });
  }
  const ec = facts.enhancedCertificates;
  if (ec !== undefined && ec !== "Disabled") {
    failures.push({
      property: "database",
      reason: `database ${facts.database} has Enhanced Certificates ${ec}; mTLS and Enhanced Certificates cannot be used together, so disable Enhanced Certificates first`,
    });
  }
  return failures;
}

/** The rule one certificate name broke, or undefined. */
export function certificateNameProblem(name: string): string | undefined {
  if (CLIENT_CERTIFICATE_NAME_PATTERN.test(name)) return undefined;
  return `certificate names must be 1 to ${MAX_CLIENT_CERTIFICATE_NAME_LENGTH} letters, digits, "-" or "_", got ${echo(name)}`;
}

/** The pure part of MtlsConfig's `check`: every input rule, no API call. Unknown values (preview) pass. */
export function validateMtlsConfig(raw: Record<string, unknown>): {
  inputs: MtlsConfigInputs;
  failures: CheckFailure[];
} {
  const f = new Failures();
  f.requiredString("database", raw.database);
  checkCertificateNames(f, raw.certificateNames);
  f.optionalBoolean("adoptExisting", raw.adoptExisting);
  f.optionalBoolean("waitForOperational", raw.waitForOperational);
  checkTimeouts(f, raw.timeouts);
  return { inputs: { ...raw } as unknown as MtlsConfigInputs, failures: f.list };
}

function checkCertificateNames(f: Failures, names: unknown): void {
  if (isUnknown(names)) return;
  if (!Array.isArray(names)) {
    f.add("certificateNames", 'certificateNames is required and must be a list of names like ["bi-tool", "ci-runner"]');
    return;
  }
  if (names.length < MIN_CLIENT_CERTIFICATES) {
    f.add(
      "certificateNames",
      `certificateNames must hold at least ${MIN_CLIENT_CERTIFICATES} name: enabling mTLS creates a client certificate, which takes the first name`,
    );
  } else if (names.length > MAX_CLIENT_CERTIFICATES) {
    f.add(
      "certificateNames",
      `certificateNames may hold at most ${MAX_CLIENT_CERTIFICATES} names, got ${names.length}`,
    );
  }
  const seen = new Map<string, number>();
  names.forEach((name: unknown, i) => {
    const property = `certificateNames[${i}]`;
    if (isUnknown(name)) return;
    if (typeof name !== "string") {
      f.add(property, `${property} must be a string`);
      return;
    }
    const problem = certificateNameProblem(name);
    if (problem) f.add(property, `${property}: ${problem}`);
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      f.add(
        property,
        `${property} repeats ${JSON.stringify(name)} (also at index ${earlier}); certificate names must be unique`,
      );
    } else {
      seen.set(name, i);
    }
  });
}
