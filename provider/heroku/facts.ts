import { Coalescer } from "../shared/coalesce";
import { listPlans } from "./addons";
import { type App, getSpace } from "./apps";
import { listCredentials } from "./credentials";
import { followingOf, infoRow } from "./databases";
import { HerokuApiError } from "./errors";
import { getMtls, listIpRules } from "./mtls";
import { sharedApp, sharedDatabaseInfo } from "./shared-reads";

/**
 * What `check` may ask Heroku at preview: read-only GETs, each made at most once per provider process (one
 * deployment: Pulumi runs every dynamic resource of a run in one process) and shared by every resource that needs
 * it, whatever the order of their checks. Hooks call these only when the inputs a fact is about are new or
 * changed, so a no-change preview of a deployed stack asks nothing (its facts were checked when it was made).
 *
 * A definite answer (found, or 403/404) is a fact; a 401 (the token itself is refused) fails the check; anything else (5xx, network, rate limit after the client's
 * retries, the budget below spent) is `unknown`, and the rule is left to `up`, which checks again before any
 * mutating call.
 */
export type Lookup<T> =
  | { kind: "found"; value: T }
  | { kind: "absent"; status: 403 | 404; message: string }
  | { kind: "unknown"; why: string };

/** A run's facts stay valid for the whole run: apps, plans and databases do not change in the middle of a preview. */
export const FACTS_FRESH_MS = 30 * 60_000;
/**
 * At most this many distinct lookups per process: a stack of hundreds of apps or databases gets its later facts
 * checked at `up` instead of spending the account's request budget (docs/heroku-api.md section 5) on a preview.
 */
export const MAX_FACT_LOOKUPS = 200;

let lookupsStarted = 0;
let lookups = new Coalescer<Lookup<unknown>>(FACTS_FRESH_MS);

function lookUp<T>(key: string, read: () => Promise<T>): Promise<Lookup<T>> {
  return lookups.get(key, async () => {
    if (lookupsStarted >= MAX_FACT_LOOKUPS) {
      return { kind: "unknown", why: `more than ${MAX_FACT_LOOKUPS} lookups in this run` };
    }
    lookupsStarted++;
    try {
      return { kind: "found", value: await read() };
    } catch (err) {
      if (err instanceof HerokuApiError && (err.status === 403 || err.status === 404)) {
        return { kind: "absent", status: err.status, message: err.herokuMessage };
      }
      // A refused token decides every rule at once: the preview stops here, naming HEROKU_API_KEY.
      if (err instanceof HerokuApiError && err.status === 401) throw err;
      return { kind: "unknown", why: err instanceof Error ? err.message : String(err) };
    }
  }) as Promise<Lookup<T>>;
}

/** The facts of an app that decide where its databases may run. */
export interface AppFacts {
  name: string;
  /** Heroku region name: a space's region (virginia, frankfurt...) or the Common Runtime's (us, eu). */
  region: string;
  space?: { name: string; shield: boolean };
  /** `cedar` or `fir`, when Heroku reports it. */
  generation?: string;
}

export function appFacts(app: string): Promise<Lookup<AppFacts>> {
  return lookUp(`app\u0000${app}`, async () => {
    const found: App = await sharedApp(app);
    const facts: AppFacts = { name: found.name, region: found.region.name };
    if (found.generation?.name) facts.generation = found.generation.name;
    if (found.space) {
      const shield = found.space.shield ?? (await getSpace(found.space.id)).shield;
      facts.space = { name: found.space.name, shield };
    }
    return facts;
  });
}

export const POSTGRES_SERVICE = "heroku-postgresql";

/** The names of Heroku's heroku-postgresql plans, e.g. `heroku-postgresql:private-0`. */
export function postgresPlanNames(): Promise<Lookup<string[]>> {
  return lookUp(`plans\u0000${POSTGRES_SERVICE}`, async () => (await listPlans(POSTGRES_SERVICE)).map((p) => p.name));
}

/** What the Data API reports about an existing database (docs/heroku-api.md section 4.6). */
export interface DatabaseFacts {
  name: string;
  /** As the Data API spells it, e.g. `private-0`. */
  plan: string;
  /** The leader, when the database follows one. */
  followerOf?: string;
  /** The "Enhanced Certificates" row: Enabled, Disabled, Provisioning, Deprovisioning. */
  enhancedCertificates?: string;
}

export function databaseFacts(database: string): Promise<Lookup<DatabaseFacts>> {
  return lookUp(`database\u0000${database}`, async () => {
    const info = await sharedDatabaseInfo(database);
    const facts: DatabaseFacts = { name: info.name, plan: info.plan?.name ?? "" };
    const leader = followingOf(info);
    if (leader !== undefined) facts.followerOf = leader;
    const ec = infoRow(info, "Enhanced Certificates")?.[0];
    if (ec !== undefined) facts.enhancedCertificates = ec;
    return facts;
  });
}

/** The database's allowlist; `mtls: false` when its tls-endpoint is off (the list answers 404 then). */
export function ipRuleFacts(database: string): Promise<Lookup<{ mtls: boolean; cidrs: string[] }>> {
  return lookUp(`ip-rules\u0000${database}`, async () => {
    try {
      return { mtls: true, cidrs: (await listIpRules(database)).map((r) => r.cidr) };
    } catch (err) {
      if (err instanceof HerokuApiError && err.status === 404) return { mtls: false, cidrs: [] };
      throw err;
    }
  });
}

/** Whether the database's tls-endpoint is on (any status but a 404: Provisioning, Operational, Deprovisioning). */
export function mtlsFacts(database: string): Promise<Lookup<{ mtls: boolean; status?: string }>> {
  return lookUp(`mtls\u0000${database}`, async () => {
    try {
      return { mtls: true, status: (await getMtls(database)).status };
    } catch (err) {
      if (err instanceof HerokuApiError && err.status === 404) return { mtls: false };
      throw err;
    }
  });
}

/** The names of the database's credentials, the default one included (docs/heroku-api.md section 2.1). */
export function credentialNames(database: string): Promise<Lookup<string[]>> {
  return lookUp(`credentials\u0000${database}`, async () => (await listCredentials(database)).map((c) => c.name));
}

/** For tests: forget every fact and the budget spent. */
export function clearFacts(): void {
  lookups = new Coalescer<Lookup<unknown>>(FACTS_FRESH_MS);
  lookupsStarted = 0;
}
