import type { Core } from "../core";
import { connectionTarget, credentialUrl } from "../domain/connection";
import {
  checkRotations,
  createCredential,
  credentialLogin,
  credentialNotFound,
  credentialOptions,
  credentialsOf,
  credentialView,
  DEFAULT_CREDENTIAL,
  DEFAULT_ROTATION_GRACE_SECONDS,
  destroyCredential,
  findCredential,
  rotateAll,
  rotateCredential,
  serialized,
  settleCredential,
  settleCredentials,
} from "../domain/credentials";
import { repairDefault } from "../domain/credentials-pg";
import { parsePlan } from "../domain/plans";
import { ApiError, invalid } from "../errors";
import type { Router } from "../http/router";
import type { Ctx, Reply } from "../http/types";
import type { Addon } from "../store/types";
import { dataAddon } from "./data-databases";

/** Credentials (docs/heroku-api.md 2.1-2.4; Dev Center's "Heroku Postgres Credentials" (docs/heroku-api.md)). `{db}` is the add-on name or id. */
const BASE = "/postgres/v0/databases/:db";

function load(ctx: Ctx): Addon {
  const addon = dataAddon(ctx.core, ctx.user, ctx.params.db!);
  settleCredentials(ctx.core, addon);
  return addon;
}

const forcedOf = (body: Record<string, unknown>): boolean => body.forced === true || body.forced === "true";

export function credentialRoutes(r: Router): void {
  r.add("GET", `${BASE}/credentials`, "data", async (ctx): Promise<Reply> => {
    const addon = load(ctx);
    const target = connectionTarget(ctx.core, addon);
    const list = [await credentialView(ctx.core, addon, "default", target)];
    // Listing reads every credential, so it counts as a poll of each (clients may watch many through the list).
    for (const record of [...credentialsOf(addon)]) settleCredential(ctx.core, addon, record, true);
    for (const record of credentialsOf(addon)) list.push(await credentialView(ctx.core, addon, record, target));
    return { status: 200, list };
  });
  r.add("POST", `${BASE}/credentials`, "data", async (ctx): Promise<Reply> => {
    const addon = load(ctx);
    const record = await createCredential(ctx.core, addon, ctx.body);
    return { status: 201, json: await credentialView(ctx.core, addon, record, connectionTarget(ctx.core, addon)) };
  });
  r.add("GET", `${BASE}/credentials/:name`, "data", async (ctx): Promise<Reply> => {
    const addon = load(ctx);
    const target = connectionTarget(ctx.core, addon);
    if (ctx.params.name === DEFAULT_CREDENTIAL) {
      return { status: 200, json: await credentialView(ctx.core, addon, "default", target) };
    }
    const record = findCredential(addon, ctx.params.name!);
    if (!record) throw credentialNotFound();
    // A read of one credential counts as a poll of its machines.
    settleCredential(ctx.core, addon, record, true);
    if (!findCredential(addon, record.name)) throw credentialNotFound();
    return { status: 200, json: await credentialView(ctx.core, addon, record, target) };
  });
  r.add("DELETE", `${BASE}/credentials/:name`, "data", async (ctx): Promise<Reply> => {
    const addon = load(ctx);
    const record = await destroyCredential(ctx.core, addon, ctx.params.name!);
    return {
      status: 200,
      json: {
        message: `The credential ${record.name} has been destroyed within ${addon.name} and detached from all apps.`,
      },
    };
  });
  r.add("POST", `${BASE}/credentials/:name/credentials_rotation`, "data", async (ctx): Promise<Reply> => {
    const addon = load(ctx);
    await rotateCredential(ctx.core, addon, ctx.params.name!, forcedOf(ctx.body));
    return { status: 200, json: { message: `Rotating credentials on ${addon.name}` } };
  });
  r.add("POST", `${BASE}/credentials_rotation`, "data", async (ctx): Promise<Reply> => {
    const addon = load(ctx);
    await rotateAll(ctx.core, addon, forcedOf(ctx.body));
    return { status: 200, json: { message: `Rotating credentials on ${addon.name}` } };
  });
  r.add("POST", `${BASE}/repair-default`, "data", async (ctx): Promise<Reply> => {
    const addon = load(ctx);
    if (parsePlan(addon.plan).tier === "essential") {
      throw new ApiError("unprocessable_entity", "You can't perform this operation on Essential-tier databases.");
    }
    if (addon.state !== "provisioned") {
      throw new ApiError("unprocessable_entity", `${addon.name} is not available yet (state ${addon.state}).`);
    }
    const others = credentialsOf(addon)
      .filter((c) => c.state !== "revoking")
      .map((c) => c.users.find((u) => u.state === "active")?.user ?? c.name);
    await serialized(ctx.core, () =>
      repairDefault(ctx.core.clusters.of(addon.db), addon.db.database, addon.db.user, others),
    );
    return {
      status: 200,
      json: { message: `Resetting permissions and object ownership for default role on ${addon.name}` },
    };
  });

  // docs/heroku-api.md 2.4: the CLI checks a credential exists before attaching it; an empty list means unknown.
  r.add("GET", "/addons/:addon/config/:key", "platform", ({ core, user, params }): Reply => {
    const addon = core.store.visibleAddon(user, params.addon!);
    const match = /^credential:(.+)$/.exec(params.key!);
    if (!match)
      throw new ApiError("not_implemented", `GET /addons/${params.addon}/config/${params.key} is not emulated.`);
    settleCredentials(core, addon);
    const login = addon.state === "provisioned" ? credentialLogin(addon, `credential:${match[1]}`) : undefined;
    return {
      status: 200,
      json: login ? [{ name: "URL", value: credentialUrl(core, addon, login.user, login.password) }] : [],
    };
  });

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
