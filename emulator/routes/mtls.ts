import type { Core } from "../core";
import {
  addIpRule,
  certificateView,
  disableMtls,
  enableMtls,
  ipRuleView,
  mtlsNotEnabled,
  mtlsView,
  settleMtls,
  addCertificate,
  revokeCertificate,
  settleAllMtls,
} from "../domain/mtls";
import { ApiError, invalid, notFound } from "../errors";
import type { Router } from "../http/router";
import type { Ctx, Reply } from "../http/types";
import { DEFAULT_MTLS_OPTIONS, mtlsRuntime } from "../mtls/runtime";
import type { MtlsRecord } from "../mtls/types";
import type { Addon } from "../store/types";
import { dataAddon } from "./data-databases";

/** mTLS, client certificates and IP rules (docs/heroku-api.md 1.1-1.3; Dev Center's mTLS article (docs/heroku-api.md)). `{db}` is the add-on name or id. */
const BASE = "/postgres/v0/databases/:db/tls-endpoint";

/** The add-on and its mTLS record after advancing its machines (a read of `observe` counts as a poll). */
async function load(
  ctx: Ctx,
  observe?: (record: MtlsRecord) => object | ReadonlySet<object> | undefined,
): Promise<{ addon: Addon; record: MtlsRecord }> {
  const addon = dataAddon(ctx.core, ctx.user, ctx.params.db!);
  const record = addon.mtls;
  if (!record) throw mtlsNotEnabled(addon);
  if (settleMtls(ctx.core, addon, observe?.(record))) await mtlsRuntime(ctx.core).reconcile();
  if (!addon.mtls) throw mtlsNotEnabled(addon);
  return { addon, record: addon.mtls };
}

function certificate(record: MtlsRecord, id: string) {
  const cert = record.certificates.find((c) => c.id === id);
  if (!cert || cert.status === "disabled") throw notFound("certificate");
  return cert;
}

function rule(record: MtlsRecord, id: string) {
  const found = record.ipRules.find((r) => r.id === id);
  if (!found) throw notFound("IP rule");
  return found;
}

export function mtlsRoutes(r: Router): void {
  r.add("POST", BASE, "data", async ({ core, user, params }): Promise<Reply> => {
    const addon = dataAddon(core, user, params.db!);
    const record = enableMtls(core, user, addon);
    return { status: 201, json: mtlsView(core, addon, record) };
  });
  r.add("GET", BASE, "data", async (ctx): Promise<Reply> => {
    const runtime = mtlsRuntime(ctx.core);
    const { addon, record } = await load(ctx);
    if (record.status === "Provisioning" && runtime.options.provisioningErrors > 0) {
      runtime.options.provisioningErrors -= 1;
      throw new ApiError("internal_server_error", "Internal server error.");
    }
    // Only answered reads count as polls of the Provisioning -> Operational machine.
    if (settleMtls(ctx.core, addon, record)) await runtime.reconcile();
    if (!addon.mtls) throw mtlsNotEnabled(addon);
    return { status: 200, json: mtlsView(ctx.core, addon, addon.mtls) };
  });
  r.add("DELETE", BASE, "data", async (ctx): Promise<Reply> => {
    const { addon } = await load(ctx);
    const record = disableMtls(ctx.core, addon);
    return { status: 202, json: mtlsView(ctx.core, addon, record) };
  });

  r.add("GET", `${BASE}/certificates`, "data", async (ctx): Promise<Reply> => {
    const { record } = await load(ctx);
    return { status: 200, list: record.certificates.map((c) => certificateView(ctx.core, c, false)) };
  });
  r.add("POST", `${BASE}/certificates`, "data", async (ctx): Promise<Reply> => {
    const { addon, record } = await load(ctx);
    if (record.status === "Deprovisioning") {
      throw new ApiError("unprocessable_entity", `mTLS is being disabled for database ${addon.name}.`);
    }
    const cert = addCertificate(ctx.core, addon, record);
    ctx.core.store.save();
    return { status: 201, json: certificateView(ctx.core, cert, false) };
  });
  r.add("GET", `${BASE}/certificates/:id`, "data", async (ctx): Promise<Reply> => {
    const { record } = await load(ctx, (m) => m.certificates.find((c) => c.id === ctx.params.id));
    return { status: 200, json: certificateView(ctx.core, certificate(record, ctx.params.id!), true) };
  });
  r.add("DELETE", `${BASE}/certificates/:id`, "data", async (ctx): Promise<Reply> => {
    const { record } = await load(ctx);
    const cert = revokeCertificate(ctx.core, certificate(record, ctx.params.id!));
    return { status: 200, json: certificateView(ctx.core, cert, false) };
  });

  r.add("GET", `${BASE}/ip-rules`, "data", async (ctx): Promise<Reply> => {
    // Listing reads every rule, so it counts as a poll of each (clients may watch many rules through the list).
    const { record } = await load(ctx, (m) => new Set(m.ipRules));
    return { status: 200, list: record.ipRules.map((x) => ipRuleView(ctx.core, x)) };
  });
  r.add("POST", `${BASE}/ip-rules`, "data", async (ctx): Promise<Reply> => {
    const { addon, record } = await load(ctx);
    return { status: 201, json: ipRuleView(ctx.core, addIpRule(ctx.core, addon, record, ctx.body)) };
  });
  r.add("GET", `${BASE}/ip-rules/:id`, "data", async (ctx): Promise<Reply> => {
    const { record } = await load(ctx, (m) => m.ipRules.find((x) => x.id === ctx.params.id));
    return { status: 200, json: ipRuleView(ctx.core, rule(record, ctx.params.id!)) };
  });
  r.add("DELETE", `${BASE}/ip-rules/:id`, "data", async (ctx): Promise<Reply> => {
    const { record } = await load(ctx);
    const found = rule(record, ctx.params.id!);
    record.ipRules = record.ipRules.filter((x) => x !== found);
    ctx.core.store.save();
    return { status: 200, json: ipRuleView(ctx.core, found) };
  });

  // Control API: timestamp format and the transient 500 of a provisioning tls-endpoint.
  r.add("GET", "/__emulator/mtls", "control", ({ core }) => ({ status: 200, json: mtlsRuntime(core).options }));
  r.add("PUT", "/__emulator/mtls", "control", ({ core, body }) => {
    const options = mtlsRuntime(core).options;
    if (body.timestampFormat !== undefined) {
      if (body.timestampFormat !== "heroku" && body.timestampFormat !== "iso") {
        throw invalid('timestampFormat must be "heroku" (2024-07-31 01:16:17 +0000) or "iso".');
      }
      options.timestampFormat = body.timestampFormat;
    }
    if (body.provisioningErrors !== undefined) {
      const n = body.provisioningErrors;
      if (typeof n !== "number" || !Number.isInteger(n) || n < 0)
        throw invalid("provisioningErrors must be an integer >= 0.");
      options.provisioningErrors = n;
    }
    return { status: 200, json: options };
  });
}

/** POST /__emulator/reset: endpoints close (their add-ons are gone) and the knobs return to their defaults. */
export async function resetMtls(core: Core): Promise<void> {
  const runtime = mtlsRuntime(core);
  runtime.options = { ...DEFAULT_MTLS_OPTIONS };
  await runtime.reconcile();
}

/** Starts the endpoints of databases whose mTLS is on (after a restart too) and the background tick. */
export async function startMtls(core: Core): Promise<{ stop(): Promise<void> }> {
  const runtime = mtlsRuntime(core);
  runtime.settle = (addon) => void settleMtls(core, addon);
  await runtime.reconcile();
  const tick = setInterval(() => {
    settleAllMtls(core);
    void runtime.reconcile().catch(() => undefined);
  }, 250);
  tick.unref();
  return {
    stop: async () => {
      clearInterval(tick);
      await runtime.stop();
    },
  };
}
