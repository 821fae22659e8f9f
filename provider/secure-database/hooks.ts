import { type Addon, createAddon, type CreateAddonBody, listAddons } from "../heroku/addons";
import { getApp } from "../heroku/apps";
import { setEnhancedCertificates } from "../heroku/databases";
import { AmbiguousRequestError, isNotFound } from "../heroku/errors";
import type { CheckFailure } from "../shared/check";
import { diffFromTable, inputFields, type TableDiff } from "../shared/diff-table";
import { ProviderError, withContext } from "../shared/errors";
import { timeoutMs } from "../shared/timeouts";
import { mustDeleteBeforeReplace, SECURE_DATABASE_DIFF_TABLE } from "./diff-table";
import { findAddon, observeDatabase } from "./heroku-state";
import { preflight } from "./preflight";
import type { SecureDatabaseInputs, SecureDatabaseOutputs } from "./types";
import { validateSecureDatabase } from "./validation";
import {
  Deadline,
  deleteAndWait,
  waitConfigVar,
  waitDatabaseReady,
  waitEnhancedCertificates,
  waitProvisioned,
} from "./waits";

/**
 * SecureDatabase: a heroku-postgresql add-on with a customer key and Enhanced Certificates (seeds 004, 001).
 * The thin provider in provider.ts requires this module and calls these functions.
 */

/** Terraform's Heroku provider waits 20 minutes for provisioning (heroku-api.md section 4.2). */
export const DEFAULT_CREATE_TIMEOUT_MS = 20 * 60_000;
/** Seed 001: enabling Enhanced Certificates "can take 15 minutes or more". */
export const DEFAULT_UPDATE_TIMEOUT_MS = 45 * 60_000;
export const DEFAULT_DELETE_TIMEOUT_MS = 20 * 60_000;
const HEROKU_POSTGRESQL = "heroku-postgresql";

export async function check(
  _olds: unknown,
  news: Record<string, unknown>,
): Promise<{ inputs: SecureDatabaseInputs; failures: CheckFailure[] }> {
  return validateSecureDatabase(news);
}

export async function diff(_id: string, olds: SecureDatabaseOutputs, news: SecureDatabaseInputs): Promise<TableDiff> {
  const o = olds as unknown as Record<string, unknown>;
  const n = news as unknown as Record<string, unknown>;
  return diffFromTable(SECURE_DATABASE_DIFF_TABLE, o, n, { deleteBeforeReplace: mustDeleteBeforeReplace });
}

export async function create(inputs: SecureDatabaseInputs): Promise<{ id: string; outs: SecureDatabaseOutputs }> {
  const label = inputs.name ?? inputs.plan;
  return withContext(`creating SecureDatabase ${label} on app ${inputs.app}`, async () => {
    const deadline = Deadline.after(timeoutMs(inputs.timeouts, "create", DEFAULT_CREATE_TIMEOUT_MS));
    const app = await getApp(inputs.app);
    let addon = inputs.adoptAddonId ? await adoptable(inputs) : undefined;
    if (!addon) {
      await preflight(app, inputs);
      addon = await createOnce(inputs);
    }
    const hint =
      `It was not deleted: raise timeouts.create, or set adoptAddonId: "${addon.id}" to take it over, and run pulumi up again ` +
      `(heroku addons:info ${addon.name} -a ${inputs.app} shows its state).`;
    addon = await waitProvisioned(inputs.app, addon, deadline, hint);
    await waitDatabaseReady(inputs.app, addon, deadline, hint);
    const stored = { ...inputs, region: app.region.name };
    let outs = await observeDatabase(addon, stored);
    if (inputs.adoptAddonId && outs.encryptionKeyArn !== inputs.encryptionKeyArn) {
      throw new ProviderError(
        `adoptAddonId ${inputs.adoptAddonId} is encrypted with ${outs.encryptionKeyArn ?? "Heroku's own key"}, but encryptionKeyArn is ${inputs.encryptionKeyArn ?? "unset"}; make them match to adopt it`,
      );
    }
    if (outs.enhancedCertificatesStatus !== (inputs.enhancedCertificates ? "Enabled" : "Disabled")) {
      if (outs.enhancedCertificates !== inputs.enhancedCertificates) {
        await setEnhancedCertificates(addon.id, inputs.enhancedCertificates === true);
      }
      await waitEnhancedCertificates(addon, inputs.enhancedCertificates === true, deadline, hint);
      outs = await observeDatabase(addon, stored);
    }
    if (!outs.connectionUrl) {
      await waitConfigVar(inputs.app, outs.configVarName, undefined, deadline, hint);
      outs = await observeDatabase(addon, stored);
    }
    return { id: addon.id, outs };
  });
}

export async function read(
  id: string,
  props: SecureDatabaseOutputs,
): Promise<{ id?: string; props?: SecureDatabaseOutputs; inputs?: SecureDatabaseInputs }> {
  return withContext(`reading SecureDatabase ${props.addonName ?? id} on app ${props.app}`, async () => {
    const addon = await findAddon(props.app, id);
    if (!addon) return {};
    const outs = await observeDatabase(addon, props);
    return { id, props: outs, inputs: pickInputs(outs) };
  });
}

/** Only Enhanced Certificates changes in place (the timeouts are just stored). */
export async function update(
  id: string,
  olds: SecureDatabaseOutputs,
  news: SecureDatabaseInputs,
): Promise<{ outs: SecureDatabaseOutputs }> {
  return withContext(`updating SecureDatabase ${olds.addonName} on app ${olds.app}`, async () => {
    const deadline = Deadline.after(timeoutMs(news.timeouts, "update", DEFAULT_UPDATE_TIMEOUT_MS));
    const addon = await findAddon(olds.app, id);
    if (!addon)
      throw new ProviderError(
        `add-on ${olds.addonName} no longer exists; run pulumi refresh, then pulumi up to create it again`,
      );
    const stored = { ...olds, ...news, region: olds.region };
    const before = await observeDatabase(addon, stored);
    const wanted = news.enhancedCertificates === true;
    if (before.enhancedCertificatesStatus !== (wanted ? "Enabled" : "Disabled")) {
      const hint = `Raise timeouts.update and run pulumi up again; heroku data:enhanced-certificates:status ${addon.name} shows progress.`;
      if (before.enhancedCertificates !== wanted) await setEnhancedCertificates(addon.id, wanted);
      await waitEnhancedCertificates(addon, wanted, deadline, hint);
      // Seed 001: the config var changes with Enhanced Certificates; wait for it, but never past the deadline.
      const short = new Deadline(Date.now() + Math.min(deadline.remaining(), 60_000));
      await waitConfigVar(olds.app, before.configVarName, before.connectionUrl, short, hint).catch(() => undefined);
    }
    return { outs: await observeDatabase(addon, stored) };
  });
}

/** 404 means gone; anything else fails loudly so Pulumi never forgets a database that still exists. */
export async function remove(id: string, props: SecureDatabaseOutputs): Promise<void> {
  await withContext(`deleting SecureDatabase ${props.addonName ?? id} on app ${props.app}`, async () => {
    const deadline = Deadline.after(timeoutMs(props.timeouts, "delete", DEFAULT_DELETE_TIMEOUT_MS));
    await deleteAndWait(props.app, id, deadline, "Raise timeouts.delete and run pulumi destroy again.");
  });
}
export { remove as delete };

/**
 * Creates are not idempotent (heroku-api.md section 5): on an ambiguous failure we read back, by name when one
 * was given, else by looking for a new Postgres add-on of this plan, and never POST twice.
 */
async function createOnce(inputs: SecureDatabaseInputs): Promise<Addon> {
  const before = inputs.name ? undefined : new Set((await listAddons(inputs.app)).map((a) => a.id));
  const config: Record<string, string | boolean> = {};
  // heroku-api.md section 4.1: `-- --encryption-key ARN` and `--enhanced-certificates-beta` as the CLI sends them.
  if (inputs.encryptionKeyArn) config["encryption-key"] = inputs.encryptionKeyArn;
  if (inputs.enhancedCertificates) config["enhanced-certificates-beta"] = true;
  if (inputs.postgresVersion) config.version = inputs.postgresVersion;
  const body: CreateAddonBody = {
    plan: { name: inputs.plan },
    attachment: inputs.attachmentName ? { name: inputs.attachmentName } : {},
    config,
    ...(inputs.name ? { name: inputs.name } : {}),
  };
  try {
    return await createAddon(inputs.app, body);
  } catch (err) {
    if (!(err instanceof AmbiguousRequestError)) throw err;
    const found = inputs.name
      ? await findAddon(inputs.app, inputs.name)
      : (await listAddons(inputs.app)).find(
          (a) => !before?.has(a.id) && a.addon_service.name === HEROKU_POSTGRESQL && a.plan.name === inputs.plan,
        );
    if (found) return found;
    throw new ProviderError(
      `${err.message}. Reading back found no new add-on on ${inputs.app}, so none was made; run pulumi up again`,
    );
  }
}

async function adoptable(inputs: SecureDatabaseInputs): Promise<Addon> {
  const id = inputs.adoptAddonId ?? "";
  const addon = await findAddon(inputs.app, id).catch((err: unknown) => {
    if (isNotFound(err)) return undefined;
    throw err;
  });
  if (!addon) throw new ProviderError(`adoptAddonId ${id} is not an add-on of app ${inputs.app}`);
  if (addon.addon_service.name !== HEROKU_POSTGRESQL) {
    throw new ProviderError(`adoptAddonId ${id} is a ${addon.addon_service.name} add-on, not ${HEROKU_POSTGRESQL}`);
  }
  if (addon.plan.name !== inputs.plan) {
    throw new ProviderError(
      `adoptAddonId ${id} has plan ${addon.plan.name} but plan is ${inputs.plan}; set plan to ${addon.plan.name} to adopt it`,
    );
  }
  if (inputs.name !== undefined && addon.name !== inputs.name) {
    throw new ProviderError(
      `adoptAddonId ${id} is named ${addon.name} but name is ${inputs.name}; set name to ${addon.name} or remove it`,
    );
  }
  return addon;
}

function pickInputs(outs: SecureDatabaseOutputs): SecureDatabaseInputs {
  const fields = new Set(inputFields(SECURE_DATABASE_DIFF_TABLE));
  return Object.fromEntries(Object.entries(outs).filter(([k]) => fields.has(k))) as unknown as SecureDatabaseInputs;
}
