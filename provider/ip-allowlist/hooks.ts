import { isNotFound, onNotFound } from "../heroku/errors";
import {
  createIpRule,
  deleteIpRule,
  type IpRule,
  ipRulesNeedingMtls,
  listIpRules,
  readMtlsStatus,
} from "../heroku/mtls";
import { refusedBeforeOperational, waitMtlsOperational, waitRulesUsable } from "../heroku/mtls-waits";
import { forgetSharedReads } from "../heroku/shared-reads";
import { parseHerokuTimestamp } from "../heroku/timestamps";
import { DEFAULT_CREATE_TIMEOUT_MS, DEFAULT_DELETE_TIMEOUT_MS } from "../ip-rule/hooks";
import { checkIpRuleCapacity } from "../ip-rule/validation";
import type { CheckFailure } from "../shared/check";
import { claim, claimedBy, ipRuleIdentities, keptMessage } from "../shared/claims";
import { databaseIdentityFor, resolveDatabase } from "../shared/database-ref";
import { Deadline } from "../shared/deadline";
import { inputsOf, type TableDiff } from "../shared/diff-table";
import { messageOf, ProviderError, withContext } from "../shared/errors";
import {
  carriesMarker,
  createReadingBack,
  markedDescription,
  RESUME_WINDOW_FACTOR,
  unmarkedDescription,
  withinResumeWindow,
} from "../shared/resume";
import { timeoutMs } from "../shared/timeouts";
import { diffIpAllowlist, IP_ALLOWLIST_DIFF_TABLE, planEntryChanges } from "./diff-table";
import type { IpAllowlistEntry, IpAllowlistInputs, IpAllowlistOutputs, IpAllowlistRule } from "./types";
import { validateIpAllowlist } from "./validation";

/**
 * IpAllowlist: every allowlisted CIDR of one database with mTLS, as one resource (Dev Center's mTLS article
 * (docs/heroku-api.md), step 3; docs/heroku-api.md 1.3). One IpRule per block waits out Heroku's authorization
 * delay once per wave of the CLI's parallelism; the allowlist posts every missing rule at once and waits for all
 * of them together, on one list read per poll round. Rules have no update API, so a changed description deletes
 * the rule and posts it again (see diff-table.ts).
 */

export { DEFAULT_CREATE_TIMEOUT_MS, DEFAULT_DELETE_TIMEOUT_MS };
/** Adding blocks waits as long as creating them does. */
export const DEFAULT_UPDATE_TIMEOUT_MS = DEFAULT_CREATE_TIMEOUT_MS;
/**
 * Requests in flight at once while posting or deleting rules: the client paces by Heroku's rate-limit headers
 * anyway, and a few at a time keep 60 posts from arriving as one burst.
 */
export const MAX_CONCURRENT_RULE_REQUESTS = 8;

export async function check(
  olds: Record<string, unknown> | undefined,
  news: Record<string, unknown>,
): Promise<{ inputs: IpAllowlistInputs; failures: CheckFailure[] }> {
  const checked = validateIpAllowlist(news);
  if (checked.failures.length > 0) return checked;
  const inputs = { ...checked.inputs, ...(await databaseIdentityFor(olds, news)) };
  // Only the create reads supersedesIpRules (the IpRules an upgrade replaces exist then): later runs keep what the
  // create had, so the preview never shows it changing as blocks come and go.
  if (olds && typeof olds.database === "string") {
    delete inputs.supersedesIpRules;
    if (olds.supersedesIpRules !== undefined)
      inputs.supersedesIpRules = olds.supersedesIpRules as Record<string, string>;
  }
  return { inputs, failures: [] };
}

/**
 * Besides the diff, an allowlist that keeps its rules (no replacement) claims them for this run
 * (shared/claims.ts): the IpRules of an older SecurePostgres, whose rules an allowlist took over, are deleted at
 * the end of a later run too (one interrupted before those deletes, say), and they must leave the rules in place.
 * Every run diffs the declared allowlist before it deletes what the program no longer declares.
 */
export async function diff(_id: string, olds: IpAllowlistOutputs, news: IpAllowlistInputs): Promise<TableDiff> {
  const d = diffIpAllowlist(olds as unknown as Record<string, unknown>, news as unknown as Record<string, unknown>);
  if (d.replaces.length === 0) holdRules(olds, olds.rules ?? {});
  return d;
}

export async function create(inputs: IpAllowlistInputs): Promise<{ id: string; outs: IpAllowlistOutputs }> {
  return withContext(`creating IpAllowlist on database ${inputs.database}`, async () => {
    const createTimeout = timeoutMs(inputs.timeouts, "create", DEFAULT_CREATE_TIMEOUT_MS);
    const deadline = Deadline.after(createTimeout);
    const identity = await resolveDatabase(inputs.database);
    inputs = { ...inputs, ...identity };
    const result = await converge(
      inputs,
      {},
      { remove: [], add: Object.keys(inputs.entries) },
      createTimeout,
      deadline,
    );
    return { id: identity.databaseAddonId, outs: outputs(inputs, result) };
  });
}

export async function read(
  id: string,
  props: IpAllowlistOutputs,
): Promise<{ id?: string; props?: IpAllowlistOutputs; inputs?: IpAllowlistInputs }> {
  return withContext(`reading IpAllowlist on database ${props.database}`, async () => {
    const live = await listIpRules(props.database).catch(onNotFound(undefined));
    if (!live) return {}; // mTLS is off, so the database allows no block at all
    const entries: Record<string, IpAllowlistEntry> = {};
    const rules: Record<string, IpAllowlistRule> = {};
    for (const [cidr, held] of Object.entries(props.rules ?? {})) {
      const rule = live.find((r) => r.id === held.ruleId);
      if (!rule) continue; // deleted outside the stack: the next up posts it again
      entries[rule.cidr] = {
        ...props.entries[cidr],
        description: declaredDescription(props, rule),
      };
      rules[rule.cidr] = ruleOutput(rule);
    }
    const outs: IpAllowlistOutputs = { ...props, entries, rules };
    return { id, props: outs, inputs: inputsOf<IpAllowlistInputs>(IP_ALLOWLIST_DIFF_TABLE, outs) };
  });
}

/**
 * Adds, removes and re-creates rules block by block (diff-table.ts planEntryChanges); changes of
 * acknowledgeWideCidr and timeouts only steer the provider.
 */
export async function update(
  _id: string,
  olds: IpAllowlistOutputs,
  news: IpAllowlistInputs,
): Promise<{ outs: IpAllowlistOutputs }> {
  return withContext(`updating IpAllowlist on database ${olds.database}`, async () => {
    const updateTimeout = timeoutMs(news.timeouts, "update", DEFAULT_UPDATE_TIMEOUT_MS);
    const deadline = Deadline.after(updateTimeout);
    const changes = planEntryChanges(olds.entries, news.entries);
    news = { ...olds, ...news };
    for (const cidr of changes.redescribed) {
      process.stderr.write(
        `IP rule for ${cidr} on database ${news.database} is deleted and made again (its description changed): ` +
          `access from ${cidr} pauses until the new rule is Authorized.\n`,
      );
    }
    const result = await converge(
      news,
      olds.rules ?? {},
      { remove: [...changes.removed, ...changes.redescribed], add: [...changes.added, ...changes.redescribed] },
      updateTimeout,
      deadline,
    );
    return { outs: outputs(news, result) };
  });
}

/** Deletes every rule the allowlist holds; 404 (the rule, or mTLS altogether, is gone) counts as deleted. */
export async function remove(_id: string, props: IpAllowlistOutputs): Promise<void> {
  await withContext(`deleting IpAllowlist on database ${props.database}`, async () => {
    await deleteRules(props, Object.entries(props.rules ?? {}), () => true);
  });
}
export { remove as delete };

/** How this allowlist names itself as the holder of the rules it claims. */
function holderLabel(side: IpAllowlistInputs): string {
  return `IpAllowlist on database ${side.database} (${side.resumeKey ?? "adopted"})`;
}

function holdRules(side: IpAllowlistInputs, rules: Readonly<Record<string, IpAllowlistRule>>): void {
  for (const [cidr, rule] of Object.entries(rules)) {
    claim(holderLabel(side), ...ipRuleIdentities(side as unknown as Record<string, unknown>, cidr, rule.ruleId));
  }
}

interface Converged {
  /** The rules held afterwards, by CIDR. */
  rules: Record<string, IpAllowlistRule>;
  /** Descriptions of rules taken over as they are at Heroku (the next preview shows any difference). */
  takenOver: Record<string, string>;
  /** The endpoint's status once the new rules were usable (none when nothing was added). */
  mtlsStatus?: string;
}

/** A rule that already exists for a block being added, and why it may (or may not) be taken over. */
type Takeover = { cidr: string; rule: IpRule } | { cidr: string; refusal: string };

/**
 * What adding and removing blocks does, in one pass: one list read decides every block (take over, post, or
 * refuse), so a refusal or a full allowlist changes nothing; then the removed rules are deleted (a re-created
 * block's old rule first: Heroku keeps one rule per CIDR), every missing rule is posted at once, and all the new
 * rules are waited for together.
 */
async function converge(
  inputs: IpAllowlistInputs,
  held: Readonly<Record<string, IpAllowlistRule>>,
  plan: { remove: string[]; add: string[] },
  waitTimeoutMs: number,
  deadline: Deadline,
): Promise<Converged> {
  const rules: Record<string, IpAllowlistRule> = { ...held };
  if (plan.remove.length === 0 && plan.add.length === 0) return { rules, takenOver: {} };
  const db = inputs.database;
  const existing = await ipRulesNeedingMtls(db, "allowlist");
  const leaving = new Set(plan.remove.map((cidr) => held[cidr]?.ruleId).filter((id) => id !== undefined));
  const staying = existing.filter((r) => !leaving.has(r.id));

  const takeovers: Takeover[] = [];
  const toPost: string[] = [];
  for (const cidr of plan.add) {
    const same = staying.find((r) => r.cidr === cidr);
    if (same) takeovers.push(judgeExisting(inputs, cidr, same, waitTimeoutMs));
    else if (inputs.adoptRuleIds?.[cidr]) {
      takeovers.push({
        cidr,
        refusal: `adoptRuleIds["${cidr}"] is ${inputs.adoptRuleIds[cidr]}, but database ${db} has no rule for ${cidr}`,
      });
    } else toPost.push(cidr);
  }
  const refusals = takeovers.flatMap((t) => ("refusal" in t ? [t.refusal] : []));
  if (refusals.length > 0) throw new ProviderError(`${refusals.join("; ")}. Nothing was changed`);
  const full = checkIpRuleCapacity(db, staying.length, toPost.length);
  if (full) throw new ProviderError(`${full}. Nothing was changed`);

  await deleteRules(
    inputs,
    plan.remove.flatMap((cidr) => (held[cidr] ? [[cidr, held[cidr]] as [string, IpAllowlistRule]] : [])),
    (holder) => holder !== holderLabel(inputs),
  );
  for (const cidr of plan.remove) delete rules[cidr];

  const takenOver: Record<string, string> = {};
  const waitingFor: IpRule[] = [];
  for (const t of takeovers) {
    if (!("rule" in t)) continue;
    claim(holderLabel(inputs), ...ipRuleIdentities(inputs as unknown as Record<string, unknown>, t.cidr, t.rule.id));
    takenOver[t.cidr] = declaredDescription(inputs, t.rule);
    waitingFor.push(t.rule);
  }
  waitingFor.push(...(await postRules(inputs, toPost, deadline)));
  forgetSharedReads(db);

  const hint =
    `The rules were not deleted: run pulumi up again and they are resumed (raise timeouts.create if Heroku is slow) ` +
    `(heroku data:mtls:ip-rules ${db} shows their status).`;
  // Rules let clients in only once the endpoint is Operational too: the allowlist is usable when both are, and
  // one endpoint read per round watches both while the endpoint provisions (heroku/mtls-waits.ts).
  if (waitingFor.length === 0) return { rules, takenOver };
  const usable = await waitRulesUsable(db, waitingFor, deadline, hint);
  for (const rule of usable.rules) rules[rule.cidr] = ruleOutput(rule);
  return { rules, takenOver, mtlsStatus: usable.endpoint.status };
}

/**
 * A rule for a block being added already exists. It is taken over when adoptRuleIds names it, when it carries
 * this allowlist's marker and was made within the resume window (an interrupted run made it), or when it carries
 * the marker of the IpRule it supersedes (the older SecurePostgres's rule for the block: taking it over is how an
 * upgrade keeps access). Anything else is refused with the id to adopt, as IpRule does.
 */
function judgeExisting(inputs: IpAllowlistInputs, cidr: string, same: IpRule, waitTimeoutMs: number): Takeover {
  const db = inputs.database;
  const adopt = inputs.adoptRuleIds?.[cidr];
  if (adopt !== undefined) {
    return adopt === same.id
      ? { cidr, rule: same }
      : {
          cidr,
          refusal: `adoptRuleIds["${cidr}"] is ${adopt}, but the rule for ${cidr} on database ${db} is ${same.id}`,
        };
  }
  if (carriesMarker(same.description, inputs.supersedesIpRules?.[cidr])) return { cidr, rule: same };
  if (carriesMarker(same.description, inputs.resumeKey)) {
    if (withinResumeWindow(parseHerokuTimestamp(same.created_at), waitTimeoutMs)) return { cidr, rule: same };
    return {
      cidr,
      refusal:
        `database ${db} already allows ${cidr} with rule ${same.id}, which carries this allowlist's marker but is older ` +
        `than ${RESUME_WINDOW_FACTOR} times timeouts.create, so it is not one an interrupted run left; to manage it, ` +
        `set adoptRuleIds: { "${cidr}": "${same.id}" }`,
    };
  }
  return {
    cidr,
    refusal:
      `database ${db} already allows ${cidr} (rule ${same.id}), which this allowlist did not make; to manage it from ` +
      `this allowlist, set adoptRuleIds: { "${cidr}": "${same.id}" }, or remove the block from one of the two`,
  };
}

/**
 * Posts every missing rule, a few at a time. Creates are not idempotent (docs/heroku-api.md 5): after an ambiguous
 * failure a rule is looked up by its CIDR before its POST is repeated (shared/resume.ts). When some posts fail the
 * others still finish; the error says which, and the rules that were made carry the marker, so the next
 * `pulumi up` resumes them.
 */
async function postRules(inputs: IpAllowlistInputs, cidrs: readonly string[], deadline: Deadline): Promise<IpRule[]> {
  const db = inputs.database;
  const post = (cidr: string): Promise<IpRule> =>
    createReadingBack({
      what: `IP rule for ${cidr} on database ${db}`,
      post: () => createIpRule(db, cidr, markedDescription(inputs.entries[cidr]!.description, inputs.resumeKey)),
      readBack: async () => (await ipRulesNeedingMtls(db, "allowlist")).find((r) => r.cidr === cidr),
    });
  let results = await inBatches(cidrs, post);
  // The allowlist posts while the endpoint may still be provisioning (MtlsConfig waitForOperational: false).
  // Should Heroku refuse rules until it is Operational, the refused ones are posted again once it is.
  const refused = results.flatMap((r, i) => (r.status === "rejected" && refusedBeforeOperational(r.reason) ? [i] : []));
  if (refused.length > 0) {
    const m = await readMtlsStatus(db);
    if (m !== "gone" && m.status === "Provisioning") {
      await waitMtlsOperational(db, deadline, "Run pulumi up again: the rules made so far are resumed.");
      const again = await inBatches(
        refused.map((i) => cidrs[i]!),
        post,
      );
      results = results.map((r, i) => (refused.includes(i) ? again[refused.indexOf(i)]! : r));
    }
  }
  const failed = results.flatMap((r, i) => (r.status === "rejected" ? [`${cidrs[i]}: ${messageOf(r.reason)}`] : []));
  if (failed.length > 0) {
    forgetSharedReads(db);
    throw new ProviderError(
      `${failed.length} of ${cidrs.length} IP rules could not be made (${failed.join("; ")}); the others were made ` +
        `and are resumed by the next pulumi up`,
    );
  }
  return results.map((r) => (r as PromiseFulfilledResult<IpRule>).value);
}

/** Deletes rules, a few at a time; a rule another resource of this run took over (`keep` says whose) stays. */
async function deleteRules(
  side: IpAllowlistInputs,
  rules: ReadonlyArray<[string, IpAllowlistRule]>,
  keep: (holder: string) => boolean,
): Promise<void> {
  const db = side.database;
  const results = await inBatches(rules, async ([cidr, rule]) => {
    const holder = claimedBy(...ipRuleIdentities(side as unknown as Record<string, unknown>, cidr, rule.ruleId));
    if (holder !== undefined && keep(holder)) {
      process.stderr.write(keptMessage(`IP rule ${rule.ruleId} for ${cidr} on database ${db}`, holder));
      return;
    }
    await deleteIpRule(db, rule.ruleId).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  });
  if (rules.length > 0) forgetSharedReads(db);
  const failed = results.flatMap((r, i) =>
    r.status === "rejected" ? [`${rules[i]![0]}: ${messageOf(r.reason)}`] : [],
  );
  if (failed.length > 0) {
    throw new ProviderError(`${failed.length} of ${rules.length} IP rules could not be deleted (${failed.join("; ")})`);
  }
}

/** Runs `work` over the items, at most MAX_CONCURRENT_RULE_REQUESTS at once; every item settles. */
async function inBatches<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array<PromiseSettledResult<R>>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { status: "fulfilled", value: await work(items[i]!) };
      } catch (reason) {
        results[i] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(MAX_CONCURRENT_RULE_REQUESTS, items.length) }, lane));
  return results;
}

/** A rule's description as declared: without this allowlist's marker, or that of the IpRule it superseded. */
function declaredDescription(side: IpAllowlistInputs, rule: IpRule): string {
  const own = unmarkedDescription(rule.description, side.resumeKey);
  return own !== rule.description ? own : unmarkedDescription(rule.description, side.supersedesIpRules?.[rule.cidr]);
}

function ruleOutput(rule: IpRule): IpAllowlistRule {
  return {
    ruleId: rule.id,
    status: rule.status,
    createdAt: parseHerokuTimestamp(rule.created_at),
    updatedAt: parseHerokuTimestamp(rule.updated_at),
  };
}

/** The state: the declared entries (a taken-over rule's live description where it differs) and the rules. */
function outputs(inputs: IpAllowlistInputs, result: Converged): IpAllowlistOutputs {
  const entries: Record<string, IpAllowlistEntry> = {};
  for (const [cidr, entry] of Object.entries(inputs.entries)) {
    if (!result.rules[cidr]) continue;
    const live = result.takenOver[cidr];
    entries[cidr] = live === undefined ? entry : { ...entry, description: live };
  }
  const mtlsStatus = result.mtlsStatus ?? (inputs as Partial<IpAllowlistOutputs>).mtlsStatus;
  return { ...inputs, entries, rules: result.rules, ...(mtlsStatus ? { mtlsStatus } : {}) };
}
