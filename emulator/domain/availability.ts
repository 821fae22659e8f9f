import type { Core } from "../core";
import type { Addon } from "../store/types";

/**
 * Whether a database takes connections: not while its BYOK key is disabled (domain/byok-watch.ts) and not during
 * the changeover of a plan change (domain/plan-change.ts). Both switch the same ALLOW_CONNECTIONS, so both ask here.
 */
export function acceptsConnections(addon: Addon): boolean {
  return !addon.keyUnavailable && addon.planChange !== "changing";
}

const chains = new WeakMap<Core, Promise<unknown>>();

/**
 * Makes the database's cluster match acceptsConnections as it is when this runs (new connections refused, open
 * ones ended). Runs one at a time, so the last call always leaves the current state. A follower is a read-only
 * standby that cannot run ALTER DATABASE; it replays its leader's setting instead (so a disabled key, which is
 * also the leader's, cascades), and a follower's own plan changeover is not made unavailable.
 */
export function applyAvailability(core: Core, addon: Addon): Promise<void> {
  const run = (chains.get(core) ?? Promise.resolve()).then(async () => {
    if (addon.following || !core.store.state.addons.includes(addon)) return;
    if (addon.state !== "provisioned" && addon.state !== "provisioning") return;
    const admin = core.clusters.find(addon.db);
    if (!admin) return;
    await admin.setAllowConnections(addon.db.database, acceptsConnections(addon));
  });
  chains.set(
    core,
    run.catch(() => undefined),
  );
  return core.track(run);
}

/**
 * Resolves once every availability change scheduled so far is applied: a read that just fired a changeover answers
 * only when the database really refuses connections (the Data API routes wait for it).
 */
export async function availabilitySettled(core: Core): Promise<void> {
  await chains.get(core);
}

/**
 * Runs a read so that what it reports matches what the database does. A flag flip (a key enabled again, a
 * changeover ending) and its ALTER DATABASE are scheduled together but applied later, so a read that saw the flag
 * mid-flight could say "Available" while connections are still refused. If a change was scheduled while the read
 * ran, it waits for it and reads again.
 */
export async function settledRead<T>(core: Core, read: () => Promise<T>): Promise<T> {
  for (;;) {
    await availabilitySettled(core);
    const before = chains.get(core);
    const value = await read();
    if (chains.get(core) === before) return value;
  }
}
