import type { Deadline } from "../shared/deadline";
import { ProviderError } from "../shared/errors";
import { HerokuApiError } from "./errors";
import { type IpRule, type MtlsEndpoint, readMtlsStatus } from "./mtls";
import { pollIpRules } from "./shared-reads";
import { waitFor } from "./waiter";

/**
 * The waits on a database's mTLS endpoint that more than one resource needs (docs/heroku-api.md 1.1, 1.3): the
 * endpoint becoming Operational, an endpoint being removed going away, and an allowlist's rules becoming usable.
 */

export async function waitMtlsOperational(database: string, deadline: Deadline, hint: string): Promise<MtlsEndpoint> {
  return waitFor<MtlsEndpoint | "gone">({
    what: `mTLS on database ${database}`,
    target: "Operational",
    ...deadline.bounds(),
    poll: () => readMtlsStatus(database),
    statusOf: (m) => (m === "gone" ? "not enabled" : m.status),
    isDone: (m) => m !== "gone" && m.status === "Operational",
    failure: (m) => (m === "gone" ? notEnabled(database) : undefined),
    hint,
  }) as Promise<MtlsEndpoint>;
}

/**
 * An endpoint being removed (Deprovisioning) cannot be enabled again or sit beside Enhanced Certificates until it
 * is gone; a delete returns once Heroku accepted the removal, so whatever comes next on the database waits here.
 */
export async function waitMtlsGone(database: string, deadline: Deadline, hint: string): Promise<void> {
  await waitFor<MtlsEndpoint | "gone">({
    what: `mTLS on database ${database}`,
    target: "removed",
    ...deadline.bounds(),
    poll: () => readMtlsStatus(database),
    statusOf: (m) => (m === "gone" ? "gone" : m.status),
    isDone: (m) => m === "gone",
    hint,
  });
}

/** Whether the endpoint is being removed: what a create must wait out before it enables mTLS again. */
export function deprovisioning(m: MtlsEndpoint | "gone"): boolean {
  return m !== "gone" && m.status === "Deprovisioning";
}

/**
 * A client error on a rule or certificate that is not about the object itself (duplicates and the limit are
 * checked before posting; 404 means mTLS is off): what Heroku might answer until the endpoint is Operational, so
 * the caller waits for that (when it is still Provisioning) and asks again.
 */
export function refusedBeforeOperational(err: unknown): boolean {
  return (
    err instanceof HerokuApiError && err.status >= 400 && err.status < 500 && err.status !== 404 && err.status !== 429
  );
}

export interface UsableRules {
  endpoint: MtlsEndpoint;
  rules: IpRule[];
}

/**
 * Waits until the rules are Authorized and the endpoint is Operational: rules only let anyone in once the
 * endpoint is (Dev Center's mTLS article, step 3), so that is when an allowlist is usable. While the endpoint
 * provisions, its GET shows the rules already authorized (`active_ip_rules`, docs/heroku-api.md 1.1), so one read
 * per round serves both waits; a rule it does not show is still authorizing. Once the endpoint is Operational,
 * the rules it does not show are read from the shared list (a rule gone from it answers 404: deleted meanwhile).
 */
export async function waitRulesUsable(
  database: string,
  posted: readonly IpRule[],
  deadline: Deadline,
  hint: string,
): Promise<UsableRules> {
  let operational: MtlsEndpoint | undefined;
  const latest = new Map(posted.map((r) => [r.id, r] as const));
  const poll = async (): Promise<UsableRules> => {
    if (!operational) {
      const m = await readMtlsStatus(database);
      if (m === "gone") throw notEnabled(database);
      for (const shown of m.active_ip_rules ?? []) if (latest.has(shown.id)) latest.set(shown.id, shown);
      if (m.status === "Operational") operational = m;
      else return { endpoint: m, rules: [...latest.values()] };
    }
    const pending = [...latest.values()].filter((r) => r.status !== "Authorized").map((r) => r.id);
    if (pending.length > 0) for (const r of await pollIpRules(database, pending)) latest.set(r.id, r);
    return { endpoint: operational, rules: [...latest.values()] };
  };
  return waitFor<UsableRules>({
    what: `${posted.length} IP rule${posted.length === 1 ? "" : "s"} and mTLS on database ${database}`,
    target: "Authorized and Operational",
    ...deadline.bounds(),
    // The rules were just posted (or found): the first read comes an interval later.
    justCreated: true,
    poll,
    statusOf: ({ endpoint, rules }) => {
      const pending = rules.filter((r) => r.status !== "Authorized").map((r) => `${r.cidr} ${r.status}`);
      return (
        `mTLS ${endpoint.status}; ${rules.length - pending.length} of ${rules.length} rules Authorized` +
        (pending.length > 0 ? ` (${pending.join(", ")})` : "")
      );
    },
    isDone: ({ endpoint, rules }) => endpoint.status === "Operational" && rules.every((r) => r.status === "Authorized"),
    hint,
  });
}

function notEnabled(database: string): ProviderError {
  return new ProviderError(`mTLS is not enabled on database ${database} (it was disabled while this waited for it)`);
}
