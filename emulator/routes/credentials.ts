import { connectionTarget } from "../domain/connection";
import {
  createCredential,
  credentialNotFound,
  credentialsOf,
  credentialView,
  DEFAULT_CREDENTIAL,
  destroyCredential,
  findCredential,
  rotateAll,
  repairDefaultCredential,
  rotateCredential,
  settleCredential,
  settleCredentials,
} from "../domain/credentials";
import { credentialSource } from "../domain/followers";
import type { Router } from "../http/router";
import type { Ctx, Reply } from "../http/types";
import type { Addon } from "../store/types";
import { dataAddon } from "./data-databases";

/** The Data API's credential routes (docs/heroku-api.md 2.1-2.4; Dev Center's "Heroku Postgres Credentials" (docs/heroku-api.md)). `{db}` is the add-on name or id. */
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
    // A follower's credentials are its leader's (domain/followers.ts), seen at the follower's address.
    const owner = credentialSource(ctx.core, addon);
    const list = [await credentialView(ctx.core, addon, "default", target)];
    // Listing reads every credential, so it counts as a poll of each (clients may watch many through the list).
    for (const record of [...credentialsOf(owner)]) settleCredential(ctx.core, owner, record, true);
    for (const record of credentialsOf(owner)) list.push(await credentialView(ctx.core, addon, record, target));
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
    const owner = credentialSource(ctx.core, addon);
    const record = findCredential(owner, ctx.params.name!);
    if (!record) throw credentialNotFound();
    // A read of one credential counts as a poll of its machines.
    settleCredential(ctx.core, owner, record, true);
    if (!findCredential(owner, record.name)) throw credentialNotFound();
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
    await repairDefaultCredential(ctx.core, addon);
    return {
      status: 200,
      json: { message: `Resetting permissions and object ownership for default role on ${addon.name}` },
    };
  });
}
