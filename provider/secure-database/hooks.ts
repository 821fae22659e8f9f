import { type Addon, createAddon, type CreateAddonBody, listAddons } from "../heroku/addons";
import { readMtlsStatus } from "../heroku/mtls";
import { deprovisioning, waitMtlsGone } from "../heroku/mtls-waits";
import { sharedApp } from "../heroku/shared-reads";
import { setEnhancedCertificates } from "../heroku/databases";
import { HerokuApiError, onNotFound } from "../heroku/errors";
import { asReported, type CheckFailure } from "../shared/check";
import { declareSetting, ENHANCED_CERTIFICATES_SETTING } from "../shared/declared";
import { claim, claimedBy, identityOf, keptMessage } from "../shared/claims";
import { diffFromTable, inputsOf, type TableDiff } from "../shared/diff-table";
import { ProviderError, withContext } from "../shared/errors";
import { createReadingBack, RESUME_WINDOW_FACTOR } from "../shared/resume";
import { timeoutMs } from "../shared/timeouts";
import { mustDeleteBeforeReplace, SECURE_DATABASE_DIFF_TABLE, SECURE_DATABASE_SAME_VALUE } from "./diff-table";
import { findAddon, observeDatabase } from "./heroku-state";
import { changePlan } from "./plan-change";
import { checkWithHeroku, leaderFailure, preflight } from "./preflight";
import { promote } from "./promotion";
import { containsUnknown } from "../shared/unknown";
import type { SecureDatabaseInputs, SecureDatabaseOutputs } from "./types";
import { derivedAddonName, isCreate, validateChange, validateSecureDatabase } from "./validation";
import { Deadline } from "../shared/deadline";
import { deleteAndWait, waitConfigVar, waitDatabaseReady, waitEnhancedCertificates, waitProvisioned } from "./waits";

/**
 * SecureDatabase: a heroku-postgresql add-on with a customer key and Enhanced Certificates (Dev Center's BYOK article (docs/heroku-api.md), 001).
 * The thin provider in provider.ts requires this module and calls these functions.
 */

/** Terraform's Heroku provider waits 20 minutes for provisioning (docs/heroku-api.md section 4.2). */
export const DEFAULT_CREATE_TIMEOUT_MS = 20 * 60_000;
/** Dev Center's Enhanced Certificates article (docs/heroku-api.md): enabling Enhanced Certificates "can take 15 minutes or more". */
export const DEFAULT_UPDATE_TIMEOUT_MS = 45 * 60_000;
export const DEFAULT_DELETE_TIMEOUT_MS = 20 * 60_000;
const HEROKU_POSTGRESQL = "heroku-postgresql";

export async function check(
  olds: Record<string, unknown> | undefined,
  news: Record<string, unknown>,
): Promise<{ inputs: SecureDatabaseInputs; failures: CheckFailure[] }> {
  const checked = validateSecureDatabase(news);
  const failures = [...checked.failures, ...validateChange(olds, news)];
  if (failures.length > 0) return { inputs: checked.inputs, failures: asReported(failures) };
  failures.push(...(await checkWithHeroku(olds, checked.inputs)));
  if (failures.length === 0 && createsFollower(olds, checked.inputs)) {
    const failure = await leaderFailure(checked.inputs.follow ?? "", checked.inputs.encryptionKeyArn);
    if (failure) failures.push(failure);
  }
  return { inputs: checked.inputs, failures: asReported(failures) };
}

/**
 * Whether these inputs make a new follower (a create, or a replacement that changes the leader or the key) whose
 * leader and key are both known, so the leader's key rule can be checked in the preview with one read.
 */
function createsFollower(olds: Record<string, unknown> | undefined, news: SecureDatabaseInputs): boolean {
  if (typeof news.follow !== "string" || containsUnknown(news.follow) || containsUnknown(news.encryptionKeyArn)) {
    return false;
  }
  return isCreate(olds) || olds?.follow !== news.follow || olds?.encryptionKeyArn !== news.encryptionKeyArn;
}

export async function diff(id: string, olds: SecureDatabaseOutputs, news: SecureDatabaseInputs): Promise<TableDiff> {
  const o = olds as unknown as Record<string, unknown>;
  const n = news as unknown as Record<string, unknown>;
  // Children checked after this diff (they wait for this database's id) judge by the declared setting.
  declareSetting([id, olds.addonName], ENHANCED_CERTIFICATES_SETTING, news.enhancedCertificates === true);
  return diffFromTable(SECURE_DATABASE_DIFF_TABLE, o, n, {
    deleteBeforeReplace: mustDeleteBeforeReplace,
    sameValue: SECURE_DATABASE_SAME_VALUE,
  });
}

export async function create(inputs: SecureDatabaseInputs): Promise<{ id: string; outs: SecureDatabaseOutputs }> {
  const label = inputs.name ?? inputs.plan;
  return withContext(`creating SecureDatabase ${label} on app ${inputs.app}`, async () => {
    const createTimeout = timeoutMs(inputs.timeouts, "create", DEFAULT_CREATE_TIMEOUT_MS);
    const deadline = Deadline.after(createTimeout);
    // The same read as this run's preview-time check made (heroku/facts.ts appFacts): region and space only.
    const app = await sharedApp(inputs.app);
    let addon = inputs.adoptAddonId ? await adoptable(inputs) : await leftByInterruptedRun(inputs, createTimeout);
    const posted = !addon;
    if (!addon) {
      await preflight(app, inputs);
      addon = await createOnce(inputs);
    } else {
      claim(`SecureDatabase ${addon.name} (${inputs.resumeKey ?? "adopted"})`, identityOf("addon", addon.id));
    }
    const cleanup = posted ? "delete-failed" : "keep";
    const hint =
      `It was not deleted: run pulumi up again soon and it is resumed (raise timeouts.create if Heroku is slow), or set adoptAddonId: "${addon.id}" to take it over ` +
      `(heroku addons:info ${addon.name} -a ${inputs.app} shows its state).`;
    addon = await waitProvisioned(inputs.app, addon, deadline, hint, cleanup);
    await waitDatabaseReady(inputs.app, addon, deadline, hint, cleanup);
    const stored = { ...inputs, region: app.region.name };
    let outs = await observeDatabase(addon, stored);
    if (inputs.adoptAddonId && outs.encryptionKeyArn !== inputs.encryptionKeyArn) {
      throw new ProviderError(
        `adoptAddonId ${inputs.adoptAddonId} is encrypted with ${outs.encryptionKeyArn ?? "Heroku's own key"}, but encryptionKeyArn is ${inputs.encryptionKeyArn ?? "unset"}; make them match to adopt it`,
      );
    }
    if (inputs.adoptAddonId) {
      // An adopted add-on is recorded as it is (adoption is a read-only takeover): a difference in
      // Enhanced Certificates shows in the next preview as an update, to be reviewed before anything changes.
      return { id: addon.id, outs };
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
    // A create never promotes (check refuses promote on a new database): a replacement that carried promote
    // over stores it unset, so the next preview shows the promotion as the update it is.
    if (inputs.promote === true && !outs.promoted) delete outs.promote;
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
    return { id, props: outs, inputs: inputsOf<SecureDatabaseInputs>(SECURE_DATABASE_DIFF_TABLE, outs) };
  });
}

/**
 * In place: a promotion (promotion.ts), a plan change (plan-change.ts) and Enhanced Certificates, in that order;
 * the timeouts are just stored.
 */
export async function update(
  id: string,
  olds: SecureDatabaseOutputs,
  news: SecureDatabaseInputs,
): Promise<{ outs: SecureDatabaseOutputs }> {
  return withContext(`updating SecureDatabase ${olds.addonName} on app ${olds.app}`, async () => {
    const deadline = Deadline.after(timeoutMs(news.timeouts, "update", DEFAULT_UPDATE_TIMEOUT_MS));
    let addon = await findAddon(olds.app, id);
    if (!addon)
      throw new ProviderError(
        `add-on ${olds.addonName} no longer exists; run pulumi refresh, then pulumi up to create it again`,
      );
    const stored = { ...olds, ...news, region: olds.region };
    if (news.promote === true && olds.promoted !== true) await promote(olds.app, addon, deadline);
    if (news.plan !== olds.plan) {
      addon = await changePlan(olds.app, addon, news.plan, deadline);
    }
    const before = await observeDatabase(addon, stored);
    const wanted = news.enhancedCertificates === true;
    if (before.enhancedCertificatesStatus !== (wanted ? "Enabled" : "Disabled")) {
      const hint = `Raise timeouts.update and run pulumi up again; heroku data:enhanced-certificates:status ${addon.name} shows progress.`;
      if (before.enhancedCertificates !== wanted) {
        // An MtlsConfig deleted just before returns while Heroku still removes the endpoint, and Enhanced
        // Certificates cannot sit beside it (docs/heroku-api.md 3): wait until it is gone.
        if (wanted && deprovisioning(await readMtlsStatus(addon.id))) await waitMtlsGone(addon.id, deadline, hint);
        await setEnhancedCertificates(addon.id, wanted);
      }
      await waitEnhancedCertificates(addon, wanted, deadline, hint);
      // Dev Center's Enhanced Certificates article (docs/heroku-api.md): the config var changes with Enhanced Certificates; wait for it, but never past the deadline.
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
    const holder = claimedBy(identityOf("addon", id));
    if (holder) {
      process.stderr.write(keptMessage(`add-on ${props.addonName ?? id} on app ${props.app}`, holder));
      return;
    }
    await deleteAndWait(props.app, id, deadline, "Raise timeouts.delete and run pulumi destroy again.");
  });
}
export { remove as delete };

/**
 * Creates are not idempotent (docs/heroku-api.md section 5): after an ambiguous failure the add-on is read back, by
 * name (the declared one or the one derived from the resume key), else by looking for a new Postgres add-on of
 * this plan, and the POST is repeated only when nothing was made (shared/resume.ts).
 */
async function createOnce(inputs: SecureDatabaseInputs): Promise<Addon> {
  const name = inputs.name ?? (inputs.resumeKey ? derivedAddonName(inputs.resumeKey, inputs) : undefined);
  const before = name ? undefined : new Set((await listAddons(inputs.app)).map((a) => a.id));
  const config: Record<string, string | boolean> = {};
  // docs/heroku-api.md section 4.1: `-- --encryption-key ARN` and `--enhanced-certificates-beta` as the CLI sends them.
  if (inputs.encryptionKeyArn) config["encryption-key"] = inputs.encryptionKeyArn;
  if (inputs.enhancedCertificates) config["enhanced-certificates-beta"] = true;
  if (inputs.postgresVersion) config.version = inputs.postgresVersion;
  // docs/heroku-api.md section 4.5: `--follow LEADER`.
  if (inputs.follow) config.follow = inputs.follow;
  const body: CreateAddonBody = {
    plan: { name: inputs.plan },
    attachment: inputs.attachmentName ? { name: inputs.attachmentName } : {},
    config,
    ...(name ? { name } : {}),
  };
  try {
    return await createReadingBack({
      what: `${inputs.plan} add-on on app ${inputs.app}`,
      post: () => createAddon(inputs.app, body),
      readBack: async () =>
        name
          ? await findAddon(inputs.app, name)
          : (await listAddons(inputs.app)).find(
              // The app's list also shows add-ons attached from other apps: only one it owns can be this create's.
              (a) =>
                !before?.has(a.id) &&
                a.app.name === inputs.app &&
                a.addon_service.name === HEROKU_POSTGRESQL &&
                a.plan.name === inputs.plan,
            ),
    });
  } catch (err) {
    if (inputs.name && err instanceof HerokuApiError && err.status === 422 && /taken/i.test(err.herokuMessage)) {
      throw new ProviderError(
        `the add-on name ${inputs.name} is taken (add-on names are unique across Heroku). If an interrupted pulumi up ` +
          `made it on app ${inputs.app}, set adoptAddonId: "${inputs.name}"; otherwise choose another name`,
      );
    }
    throw err;
  }
}

/**
 * The add-on an interrupted run of this resource made: it carries the name derived from the resume key, which no
 * other resource can produce. A declared name proves nothing (anyone may have used it), so it is never resumed.
 * One older than RESUME_WINDOW_FACTOR create timeouts is not resumed either: an interrupted or timed-out create
 * is normally run again soon, while an older add-on with this name is more likely the live database of this very
 * resource being replaced with `pulumi up --replace` (which creates first), and taking it over would let the
 * replacement delete it. The message then names adoptAddonId for the rare old leftover.
 */
async function leftByInterruptedRun(inputs: SecureDatabaseInputs, createTimeoutMs: number): Promise<Addon | undefined> {
  if (inputs.name !== undefined || !inputs.resumeKey) return undefined;
  const name = derivedAddonName(inputs.resumeKey, inputs);
  const addon = await findAddon(inputs.app, name);
  if (!addon) return undefined;
  const adopt = `if it is the database you want, set adoptAddonId: "${addon.id}"; to replace it, set deleteBeforeReplace: true`;
  if (addon.addon_service.name !== HEROKU_POSTGRESQL || addon.plan.name !== inputs.plan) {
    throw new ProviderError(
      `add-on ${name} on app ${inputs.app} carries this resource's derived name but is a ${addon.plan.name} add-on, not ${inputs.plan}; remove it or set name`,
    );
  }
  const age = addon.created_at ? Date.now() - Date.parse(addon.created_at) : 0;
  if (age > RESUME_WINDOW_FACTOR * createTimeoutMs) {
    throw new ProviderError(
      `add-on ${name} on app ${inputs.app} carries this resource's derived name but was made ${Math.round(age / 60_000)} minutes ago, more than ${RESUME_WINDOW_FACTOR} times timeouts.create, so it is not resumed: ${adopt}`,
    );
  }
  return addon;
}

async function adoptable(inputs: SecureDatabaseInputs): Promise<Addon> {
  const id = inputs.adoptAddonId ?? "";
  const addon = await findAddon(inputs.app, id).catch(onNotFound(undefined));
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
