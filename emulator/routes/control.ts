import { settleAll } from "../domain/addons";
import { resetCredentials } from "../domain/credential-scheduler";
import { checkRotations, credentialOptions } from "../domain/credentials";
import { syncKeys } from "../domain/byok-watch";
import { MACHINES, parseSpeed } from "../machines/definitions";
import { isPreset, PRESETS, presetSpeeds } from "../machines/presets";
import { invalid } from "../errors";
import { parseFault } from "../http/faults";
import type { Router } from "../http/router";
import type { Speed } from "../store/types";
import { resetMtls } from "./mtls";

/** The test-facing control API under /__emulator (no auth, never in the request log). */
export function controlRoutes(r: Router): void {
  r.add("POST", "/__emulator/reset", "control", async ({ core }) => {
    await core.clusters.removeAll();
    core.store.resetToSeed();
    // The speeds the emulator started with (`--speeds`), not the standalone defaults, are what a reset restores.
    Object.assign(core.store.state.speeds, core.startSpeeds);
    core.store.save();
    await resetMtls(core);
    resetCredentials(core);
    core.faults.clear();
    core.requests = [];
    core.rateLimiter.reset();
    return { status: 200, json: { ok: true } };
  });

  r.add("GET", "/__emulator/requests", "control", ({ core }) => ({ status: 200, json: core.requests }));
  r.add("DELETE", "/__emulator/requests", "control", ({ core }) => {
    core.requests = [];
    return { status: 200, json: { ok: true } };
  });

  r.add("GET", "/__emulator/speed", "control", ({ core }) => ({ status: 200, json: core.store.state.speeds }));
  r.add("PUT", "/__emulator/speed", "control", ({ core, body }) => {
    const { preset, factor, ...machines } = body;
    const updates: Record<string, Speed> = {};
    if (preset !== undefined || factor !== undefined) {
      if (!isPreset(preset)) throw invalid(`preset must be one of ${PRESETS.join(", ")}.`);
      if (factor !== undefined && (typeof factor !== "number" || !(factor > 0)))
        throw invalid("factor must be a number above 0.");
      Object.assign(updates, presetSpeeds(preset, factor ?? 1));
    }
    for (const [machine, value] of Object.entries(machines)) {
      if (!MACHINES[machine]) throw invalid(`Unknown machine ${machine}; known: ${Object.keys(MACHINES).join(", ")}.`);
      const speed = parseSpeed(value);
      if (!speed) throw invalid(`Speed for ${machine} must be "immediate", {"polls":N} or {"ms":N}.`);
      updates[machine] = speed;
    }
    Object.assign(core.store.state.speeds, updates);
    core.store.save();
    settleAll(core);
    return { status: 200, json: core.store.state.speeds };
  });

  r.add("GET", "/__emulator/faults", "control", ({ core }) => ({ status: 200, json: core.faults.list() }));
  r.add("POST", "/__emulator/faults", "control", ({ core, body }) => {
    core.faults.add(parseFault(body));
    return { status: 201, json: core.faults.list() };
  });
  r.add("DELETE", "/__emulator/faults", "control", ({ core }) => {
    core.faults.clear();
    return { status: 200, json: [] };
  });

  r.add("POST", "/__emulator/clock", "control", ({ core, body }) => {
    const seconds = body.advanceSeconds;
    if (typeof seconds !== "number" || seconds < 0) throw invalid("advanceSeconds must be a number >= 0.");
    core.store.state.clockOffsetMs += seconds * 1000;
    core.store.save();
    settleAll(core);
    return { status: 200, json: { now: core.store.nowIso(), offsetSeconds: core.store.state.clockOffsetMs / 1000 } };
  });

  r.add("POST", "/__emulator/kms-sync", "control", async ({ core }) => ({ status: 200, json: await syncKeys(core) }));

  // Not in the shared contract: lets tests reach an empty bucket without 4,500 requests.
  r.add("PUT", "/__emulator/rate-limit", "control", ({ core, body }) => {
    if (typeof body.remaining !== "number" || body.remaining < 0) throw invalid("remaining must be a number >= 0.");
    core.rateLimiter.setAll(
      body.remaining,
      core.store.state.users.map((u) => u.id),
    );
    return { status: 200, json: { remaining: body.remaining } };
  });

  r.add("GET", "/__emulator/state", "control", ({ core }) => ({ status: 200, json: redacted(core.store.state) }));

  // Credential knobs: how long a rotation lets old connections drain.
  r.add("GET", "/__emulator/credentials", "control", ({ core }) => ({ status: 200, json: credentialOptions(core) }));
  r.add("PUT", "/__emulator/credentials", "control", async ({ core, body }) => {
    const options = credentialOptions(core);
    if (body.rotationGraceSeconds !== undefined) {
      const n = body.rotationGraceSeconds;
      if (typeof n !== "number" || n < 0) throw invalid("rotationGraceSeconds must be a number >= 0.");
      options.rotationGraceSeconds = n;
    }
    await checkRotations(core);
    return { status: 200, json: options };
  });
}

/** The dump is for tests to inspect; passwords and tokens stay out of it (they are in state.json, mode 0600). */
function redacted(state: unknown): unknown {
  return JSON.parse(
    JSON.stringify(state, (key, value: unknown) =>
      key === "password" || key === "token" || key === "keyPem" ? "[redacted]" : value,
    ),
  );
}
