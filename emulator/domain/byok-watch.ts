import type { Core } from "../core";
import { keyIsEnabled } from "../kms/check-key";
import { applyAvailability } from "./availability";

/**
 * Heroku shuts a database down about 20 minutes after its BYOK key is disabled and restarts it about 5 minutes
 * after the key is enabled again (Dev Center's BYOK article (docs/heroku-api.md)). The emulator collapses both delays: a check every
 * KEY_CHECK_INTERVAL_MS, or at once through POST /__emulator/kms-sync.
 */
export const KEY_CHECK_INTERVAL_MS = 3000;

let chain: Promise<unknown> = Promise.resolve();

/** Serialized so the timer and kms-sync never flip the same database concurrently. */
export function syncKeys(core: Core): Promise<{ checked: number; changed: string[] }> {
  const next = chain.then(() => syncOnce(core));
  chain = next.catch(() => undefined);
  return core.track(next);
}

async function syncOnce(core: Core): Promise<{ checked: number; changed: string[] }> {
  const changed: string[] = [];
  const addons = core.store.state.addons.filter(
    (a) => a.encryptionKey && (a.state === "provisioned" || a.state === "provisioning"),
  );
  for (const addon of addons) {
    const enabled = await keyIsEnabled(core.kmsEndpoint, addon.encryptionKey!);
    if (enabled === undefined) continue;
    const unavailable = !enabled;
    if (unavailable === (addon.keyUnavailable ?? false)) continue;
    // The add-on may have been deleted while KMS answered.
    if (!core.store.state.addons.includes(addon) || addon.state === "deprovisioning") continue;
    const before = addon.keyUnavailable;
    addon.keyUnavailable = unavailable;
    try {
      await applyAvailability(core, addon);
    } catch (err) {
      addon.keyUnavailable = before;
      throw err;
    }
    addon.updatedAt = core.store.nowIso();
    changed.push(addon.name);
  }
  if (changed.length > 0) core.store.save();
  return { checked: addons.length, changed };
}
