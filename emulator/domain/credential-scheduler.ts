import type { Core } from "../core";
import { checkRotations, credentialOptions, DEFAULT_ROTATION_GRACE_SECONDS, settleCredentials } from "./credentials";

/** POST /__emulator/reset: the knobs return to their defaults (the roles go with their add-ons). */
export function resetCredentials(core: Core): void {
  credentialOptions(core).rotationGraceSeconds = DEFAULT_ROTATION_GRACE_SECONDS;
}

/** How often rotations are checked against pg_stat_activity. */
export const ROTATION_CHECK_MS = 1000;

/** The background check of rotations (after a restart too: rotations resume from their stored start). */
export function startCredentials(core: Core): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const tick = setInterval(() => {
    if (running) return;
    running = checkRotations(core)
      .then(() => {
        for (const addon of core.store.state.addons) settleCredentials(core, addon);
      })
      .catch(() => undefined)
      .finally(() => (running = undefined));
  }, ROTATION_CHECK_MS);
  tick.unref();
  return {
    stop: async () => {
      clearInterval(tick);
      await running;
    },
  };
}
