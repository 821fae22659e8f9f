import { type CheckFailure, Failures, isUnknown } from "../shared/check";
import { checkTimeouts } from "../shared/timeouts";
import { UNKNOWN } from "../shared/unknown";
import {
  cidrProblem,
  descriptionProblem,
  findCidrConflicts,
  MAX_IP_RULES_PER_DATABASE,
  ruleIdProblem,
} from "../ip-rule/validation";
import type { IpAllowlistEntry, IpAllowlistInputs } from "./types";

/**
 * The rules of one block are IpRule's (ip-rule/validation.ts), with the same named limits; what only a list can
 * break is checked here: its length against MAX_IP_RULES_PER_DATABASE and a CIDR listed twice.
 */

/** How a block is named in messages: its place in the declared list and its CIDR. */
function entryLabel(index: number, cidr: unknown): string {
  return typeof cidr === "string" && !isUnknown(cidr) ? `entries[${index}] (${cidr})` : `entries[${index}]`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A map of CIDR to text (adoptRuleIds, supersedesIpRules): its shape, and that every CIDR is one of the entries. */
function checkCidrMap(
  f: Failures,
  property: string,
  value: unknown,
  declared: ReadonlySet<string> | undefined,
  valueProblem: (key: string, v: string) => string | undefined,
): void {
  if (value === undefined || isUnknown(value)) return;
  if (!isRecord(value)) {
    f.add(property, `${property} must map CIDR blocks to ids, e.g. { "203.0.113.0/24": "<rule id>" }`);
    return;
  }
  for (const [cidr, v] of Object.entries(value)) {
    if (isUnknown(v)) continue;
    if (declared && !declared.has(cidr)) {
      f.add(property, `${property} names ${cidr}, which is not one of the entries; list the block in entries too`);
    }
    const problem = typeof v === "string" ? valueProblem(cidr, v) : `${property}["${cidr}"] must be a string`;
    if (problem) f.add(property, problem);
  }
}

/**
 * The pure part of IpAllowlist's `check`: every rule, no API call. Unknown values (preview) pass. The checked
 * inputs key the entries by CIDR (see types.ts); while a CIDR is still unknown nothing can be keyed, so `entries`
 * stays unknown as a whole and the preview shows it as changing.
 */
export function validateIpAllowlist(raw: Record<string, unknown>): {
  inputs: IpAllowlistInputs;
  failures: CheckFailure[];
} {
  const f = new Failures();
  f.requiredString("database", raw.database);
  let entries: Record<string, IpAllowlistEntry> | typeof UNKNOWN = UNKNOWN;
  let declared: Set<string> | undefined;

  if (isUnknown(raw.entries)) {
    // The whole list is unknown: nothing to check yet.
  } else if (!Array.isArray(raw.entries)) {
    f.add(
      "entries",
      'entries is required and must be a list of blocks like { cidr: "203.0.113.0/24", description: "office" }',
    );
  } else {
    const list: unknown[] = raw.entries;
    if (list.length > MAX_IP_RULES_PER_DATABASE) {
      f.add(
        "entries",
        `entries lists ${list.length} blocks, but Heroku Postgres allows at most ${MAX_IP_RULES_PER_DATABASE} IP rules per database`,
      );
    }
    const keyed: Record<string, IpAllowlistEntry> = {};
    let keyable = true;
    const cidrs: string[] = [];
    list.forEach((item, i) => {
      if (isUnknown(item)) {
        keyable = false;
        return;
      }
      if (!isRecord(item)) {
        f.add(
          "entries",
          `${entryLabel(i, undefined)} must be a block like { cidr: "203.0.113.0/24", description: "office" }`,
        );
        return;
      }
      const label = entryLabel(i, item.cidr);
      const ack = item.acknowledgeWideCidr;
      if (ack !== undefined && !isUnknown(ack) && typeof ack !== "boolean") {
        f.add("entries", `${label}: acknowledgeWideCidr must be true or false`);
      }
      if (isUnknown(item.cidr)) {
        keyable = false;
      } else if (typeof item.cidr !== "string") {
        f.add("entries", `${label}: cidr is required and must be an IPv4 CIDR block like 203.0.113.10/32`);
      } else {
        const problem = cidrProblem(item.cidr, ack === true);
        if (problem) f.add("entries", `${label}: ${problem}`);
        cidrs.push(item.cidr);
      }
      if (item.description === undefined || (typeof item.description !== "string" && !isUnknown(item.description))) {
        f.add("entries", `${label}: description is required and must be a string, e.g. "Office IP"`);
      } else if (!isUnknown(item.description)) {
        const problem = descriptionProblem(item.description as string);
        if (problem) f.add("entries", `${label}: ${problem}`);
      }
      if (typeof item.cidr === "string" && !isUnknown(item.cidr)) {
        keyed[item.cidr] = {
          description: item.description as string,
          // Only true is kept: leaving it out and false mean the same, and must not differ in a diff.
          ...(ack === true || isUnknown(ack) ? { acknowledgeWideCidr: ack as boolean } : {}),
        };
      }
    });
    for (const conflict of findCidrConflicts(cidrs)) {
      if (conflict.kind === "duplicate") f.add("entries", `entries: ${conflict.message}`);
    }
    if (keyable) {
      entries = keyed;
      declared = new Set(Object.keys(keyed));
    }
  }

  checkCidrMap(f, "adoptRuleIds", raw.adoptRuleIds, declared, (cidr, id) =>
    ruleIdProblem(`adoptRuleIds["${cidr}"]`, id),
  );
  checkCidrMap(f, "supersedesIpRules", raw.supersedesIpRules, undefined, () => undefined);
  checkTimeouts(f, raw.timeouts);
  return { inputs: { ...raw, entries } as unknown as IpAllowlistInputs, failures: f.list };
}
