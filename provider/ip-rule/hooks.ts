import { HerokuApiError, isNotFound, onNotFound } from "../heroku/errors";
import { createIpRule, deleteIpRule, getIpRule, type IpRule, ipRulesNeedingMtls } from "../heroku/mtls";
import { pollIpRule } from "../heroku/shared-reads";
import { waitFor } from "../heroku/waiter";
import { parseHerokuTimestamp } from "../heroku/timestamps";
import { Deadline } from "../shared/deadline";
import { absentProblem, asReported, type CheckFailure } from "../shared/check";
import { declaredItems, declaredSetting, declareItem, MTLS_SETTING } from "../shared/declared";
import { databaseFacts, ipRuleFacts } from "../heroku/facts";
import { containsUnknown } from "../shared/unknown";
import { claim, claimedBy, ipRuleIdentities, keptMessage } from "../shared/claims";
import { databaseIdentityFor, databaseKeys, resolveDatabase, sameDatabase } from "../shared/database-ref";
import { inputsOf, type TableDiff } from "../shared/diff-table";
import { ProviderError, withContext } from "../shared/errors";
import {
  carriesMarker,
  createReadingBack,
  markedDescription,
  RESUME_WINDOW_FACTOR,
  unmarkedDescription,
  withinResumeWindow,
} from "../shared/resume";
import { timeoutMs } from "../shared/timeouts";
import { diffIpRule, IP_RULE_DIFF_TABLE } from "./diff-table";
import type { IpRuleInputs, IpRuleOutputs } from "./types";
import { checkIpRuleCapacity, checkIpRuleDatabase, validateIpRule } from "./validation";

/**
 * IpRule: one allowlisted CIDR on a database with mTLS (Dev Center's mTLS article (docs/heroku-api.md), step 3; docs/heroku-api.md 1.3). There is no
 * update API, so every Heroku-side change replaces (see diff-table.ts).
 */

/** docs/heroku-api.md 1.4: authorizing takes 10-15 minutes in practice; HX waits 20. */
export const DEFAULT_CREATE_TIMEOUT_MS = 20 * 60_000;
export const DEFAULT_DELETE_TIMEOUT_MS = 10 * 60_000;

export async function check(
  olds: Record<string, unknown> | undefined,
  news: Record<string, unknown>,
): Promise<{ inputs: IpRuleInputs; failures: CheckFailure[] }> {
  const checked = validateIpRule(news);
  if (checked.failures.length > 0) return { ...checked, failures: asReported(checked.failures) };
  const inputs = { ...checked.inputs, ...(await databaseIdentityFor(olds, news)) };
  return { inputs, failures: asReported(await checkWithHeroku(olds, inputs)) };
}

const IP_RULE_KIND = "ip-rule";

/**
 * At preview, for a database that exists: mTLS is on (or enabled in this run) and the allowlist has room for
 * this run's rules. A deployed rule on the same database and CIDR is only counted (no call): its facts were
 * checked when it was made. The count is taken and this rule recorded in one step, so of two rules that would
 * both be the 61st, exactly one is refused.
 */
async function checkWithHeroku(
  olds: Record<string, unknown> | undefined,
  inputs: IpRuleInputs,
): Promise<CheckFailure[]> {
  const side = inputs as unknown as Record<string, unknown>;
  if (containsUnknown(inputs.database) || containsUnknown(inputs.cidr)) return [];
  const keys = databaseKeys(side);
  if (olds && sameDatabase(olds, side) && olds.cidr === inputs.cidr) {
    declareItem(IP_RULE_KIND, keys, inputs.cidr);
    return [];
  }
  const database = await databaseFacts(inputs.database);
  if (database.kind === "absent") {
    return [{ property: "database", reason: absentProblem("database", "database", inputs.database, database.status) }];
  }
  const rules = database.kind === "found" ? await ipRuleFacts(inputs.database) : undefined;
  if (rules?.kind !== "found") {
    declareItem(IP_RULE_KIND, keys, inputs.cidr);
    return [];
  }
  const declared = [...declaredItems(IP_RULE_KIND, keys), inputs.cidr];
  const mtls = rules.value.mtls || declaredSetting(keys, MTLS_SETTING) === true;
  const failures = checkIpRuleDatabase({
    database: inputs.database,
    mtls,
    existing: rules.value.cidrs,
    declared: [...new Set(declared)],
  });
  if (failures.length === 0) declareItem(IP_RULE_KIND, keys, inputs.cidr);
  return failures;
}

export async function diff(_id: string, olds: IpRuleOutputs, news: IpRuleInputs): Promise<TableDiff> {
  return diffIpRule(olds as unknown as Record<string, unknown>, news as unknown as Record<string, unknown>);
}

export async function create(inputs: IpRuleInputs): Promise<{ id: string; outs: IpRuleOutputs }> {
  return withContext(`creating IpRule ${inputs.cidr} on database ${inputs.database}`, async () => {
    const createTimeout = timeoutMs(inputs.timeouts, "create", DEFAULT_CREATE_TIMEOUT_MS);
    const deadline = Deadline.after(createTimeout);
    inputs = { ...inputs, ...(await resolveDatabase(inputs.database)) };
    const made = inputs.adoptRuleId
      ? { rule: await adopt(inputs, inputs.adoptRuleId), existed: true }
      : await createOnce(inputs, createTimeout);
    const rule = made.rule;
    if (made.existed)
      claim(`IpRule ${inputs.cidr} (${inputs.resumeKey ?? "adopted"})`, ...ruleIdentities(inputs, rule.id));
    const hint =
      `The rule ${rule.id} was not deleted: run pulumi up again and it is resumed (raise timeouts.create if Heroku is slow) ` +
      `(heroku data:mtls:ip-rules:get ${inputs.database} --id ${rule.id} shows its status).`;
    const authorized = await waitFor({
      what: `IP rule ${inputs.cidr} on database ${inputs.database}`,
      target: "Authorized",
      ...deadline.bounds(),
      poll: () => pollIpRule(inputs.database, rule.id),
      statusOf: (r) => r.status,
      isDone: (r) => r.status === "Authorized",
      hint,
    });
    return { id: authorized.id, outs: outputs(inputs, authorized) };
  });
}

export async function read(
  id: string,
  props: IpRuleOutputs,
): Promise<{ id?: string; props?: IpRuleOutputs; inputs?: IpRuleInputs }> {
  return withContext(`reading IpRule ${props.cidr} on database ${props.database}`, async () => {
    const rule = await getIpRule(props.database, id).catch(onNotFound(undefined));
    if (!rule) return {};
    const outs = outputs(props, rule);
    return { id, props: outs, inputs: inputsOf<IpRuleInputs>(IP_RULE_DIFF_TABLE, outs) };
  });
}

/** Only acknowledgeWideCidr and timeouts update, and they only steer the provider: nothing to call. */
export async function update(_id: string, olds: IpRuleOutputs, news: IpRuleInputs): Promise<{ outs: IpRuleOutputs }> {
  return { outs: { ...olds, ...news } };
}

/** 404 (the rule, or mTLS altogether, is gone) counts as deleted; anything else fails. */
export async function remove(id: string, props: IpRuleOutputs): Promise<void> {
  await withContext(`deleting IpRule ${props.cidr} on database ${props.database}`, async () => {
    const holder = claimedBy(...ruleIdentities(props, id));
    if (holder) {
      process.stderr.write(keptMessage(`IP rule ${id} for ${props.cidr} on database ${props.database}`, holder));
      return;
    }
    try {
      await deleteIpRule(props.database, id);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  });
}
export { remove as delete };

/**
 * Posts first: Heroku refuses a second rule for a CIDR and a 61st rule with 422 and makes nothing, so listing the
 * rules before every create (60 reads for 60 rules) buys nothing. On that refusal the rules are listed once to
 * say precisely why: a rule for the same CIDR carrying this resource's marker was made by an interrupted run and
 * is resumed; any other is refused with the id to adopt; a full allowlist gets the limit. Creates are not
 * idempotent (docs/heroku-api.md 5): after an ambiguous failure the rule is looked up by its CIDR before the POST is
 * repeated (shared/resume.ts).
 */
async function createOnce(inputs: IpRuleInputs, createTimeoutMs: number): Promise<{ rule: IpRule; existed: boolean }> {
  try {
    const rule = await createReadingBack({
      what: `IP rule for ${inputs.cidr} on database ${inputs.database}`,
      post: () => createIpRule(inputs.database, inputs.cidr, markedDescription(inputs.description, inputs.resumeKey)),
      readBack: async () => (await ipRulesNeedingMtls(inputs.database, "rule")).find((r) => r.cidr === inputs.cidr),
    });
    return { rule, existed: false };
  } catch (err) {
    if (!(err instanceof HerokuApiError) || (err.status !== 422 && err.status !== 404)) throw err;
    const existing = await ipRulesNeedingMtls(inputs.database, "rule");
    const same = existing.find((r) => r.cidr === inputs.cidr);
    const ours = same && carriesMarker(same.description, inputs.resumeKey);
    if (same && ours) {
      if (withinResumeWindow(parseHerokuTimestamp(same.created_at), createTimeoutMs))
        return { rule: same, existed: true };
      throw new ProviderError(
        `database ${inputs.database} already allows ${inputs.cidr} with rule ${same.id}, which carries this resource's ` +
          `marker but is older than ${RESUME_WINDOW_FACTOR} times timeouts.create, so it is this resource's live rule, not ` +
          `one an interrupted run left. To replace it, set deleteBeforeReplace: true on this resource (access from ` +
          `the block pauses until the new rule is Authorized); nothing was changed`,
      );
    }
    if (same) {
      throw new ProviderError(
        `database ${inputs.database} already allows ${inputs.cidr} (rule ${same.id}), which this resource did not make. ` +
          `If it is the rule of a resource you renamed, add aliases: [{ name: "<old name>" }] to this resource instead; ` +
          `to manage it from this resource, set adoptRuleId: "${same.id}". Nothing was changed`,
      );
    }
    const full = checkIpRuleCapacity(inputs.database, existing.length);
    if (full) throw new ProviderError(full);
    throw err;
  }
}

async function adopt(inputs: IpRuleInputs, id: string): Promise<IpRule> {
  const rule = await getIpRule(inputs.database, id).catch((err: unknown) => {
    if (isNotFound(err)) throw new ProviderError(`adoptRuleId ${id} is not an IP rule of database ${inputs.database}`);
    throw err;
  });
  if (rule.cidr !== inputs.cidr) {
    throw new ProviderError(
      `adoptRuleId ${id} allows ${rule.cidr} but cidr is ${inputs.cidr}; make them match to adopt it`,
    );
  }
  return rule;
}

/** The identities under which a rule is claimed (shared/claims.ts). */
function ruleIdentities(side: IpRuleInputs, ruleId: string): string[] {
  return ipRuleIdentities(side as unknown as Record<string, unknown>, side.cidr, ruleId);
}

function outputs(inputs: IpRuleInputs, rule: IpRule): IpRuleOutputs {
  return {
    ...inputs,
    cidr: rule.cidr,
    description: unmarkedDescription(rule.description, inputs.resumeKey),
    ruleId: rule.id,
    status: rule.status,
    createdAt: parseHerokuTimestamp(rule.created_at),
    updatedAt: parseHerokuTimestamp(rule.updated_at),
  };
}
