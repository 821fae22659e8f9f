import { type CheckFailure, echo, Failures, isUnknown } from "../shared/check";
import { checkTimeouts } from "../shared/timeouts";
import type { IpRuleInputs } from "./types";

// Dev Center's mTLS article (docs/heroku-api.md), "Step 3": "A hard limit of 60 IP blocks can be allowlisted per Postgres database."
export const MAX_IP_RULES_PER_DATABASE = 60;
// Prefixes shorter than this (0.0.0.0/0 included) open the database to a large part of the internet, so they
// need acknowledgeWideCidr. /8 is our line: the widest block any single organisation is normally assigned.
export const WIDE_CIDR_MIN_PREFIX = 8;
export const MAX_IPV4_PREFIX = 32;
// Heroku documents no limit for descriptions; 255 keeps them readable in `data:mtls:ip-rules` output and fits
// any varchar column. Our own choice (see the report / README).
export const MAX_IP_RULE_DESCRIPTION_LENGTH = 255;

/** A parsed, canonical IPv4 block. `network` is the address as an unsigned 32-bit number. */
export interface Ipv4Cidr {
  network: number;
  prefix: number;
  /** `a.b.c.d/n` */
  text: string;
}

export type CidrParse = { ok: true; cidr: Ipv4Cidr } | { ok: false; reason: string };

const CIDR_SHAPE = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/;
const ADDRESS_SHAPE = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Strict IPv4 CIDR parsing: four decimal octets 0-255 without leading zeros (which some tools read as octal),
 * a prefix 0-32 without leading zeros, and no host bits below the prefix. Reasons start with `cidr` and name
 * the rule; a block with host bits set suggests its canonical form.
 */
export function parseIpv4Cidr(text: string): CidrParse {
  const match = CIDR_SHAPE.exec(text);
  if (!match) {
    const bare = ADDRESS_SHAPE.exec(text);
    const hint = bare ? `; a single address is written ${text}/${MAX_IPV4_PREFIX}` : "";
    return fail(`cidr must be an IPv4 CIDR block like 203.0.113.10/32, got ${echo(text)}${hint}`);
  }
  const parts = match.slice(1, 5);
  let network = 0;
  for (const part of parts) {
    const octet = Number(part);
    if (hasLeadingZero(part)) return fail(`cidr ${text}: octet "${part}" has a leading zero; write ${octet}`);
    if (octet > 255) return fail(`cidr ${text}: octet ${part} is out of range; each octet must be 0 to 255`);
    network = network * 256 + octet;
  }
  const prefixText = match[5] ?? "";
  const prefix = Number(prefixText);
  if (hasLeadingZero(prefixText) || prefix > MAX_IPV4_PREFIX) {
    return fail(`cidr ${text}: prefix /${prefixText} must be a whole number from 0 to ${MAX_IPV4_PREFIX}`);
  }
  const canonical = network - (network % blockSize(prefix));
  if (canonical !== network) {
    const suggestion = `${formatIpv4(canonical)}/${prefix}`;
    return fail(`cidr ${text} has host bits set; did you mean ${suggestion}?`);
  }
  return { ok: true, cidr: { network, prefix, text } };
}

/** `a.b.c.d` for an unsigned 32-bit number. */
export function formatIpv4(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}

/** How many addresses a prefix covers (2^(32-prefix)), as a plain number (no 32-bit overflow). */
export function blockSize(prefix: number): number {
  return 2 ** (MAX_IPV4_PREFIX - prefix);
}

/** True when the two blocks share at least one address (one contains the other, for CIDR blocks). */
export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  const wider = a.prefix <= b.prefix ? a : b;
  const narrower = wider === a ? b : a;
  return narrower.network - (narrower.network % blockSize(wider.prefix)) === wider.network;
}

export interface CidrConflict {
  kind: "duplicate" | "overlap";
  /** Indexes into the list given to findCidrConflicts, first < second. */
  first: number;
  second: number;
  message: string;
}

/**
 * Duplicates and overlaps in a list of CIDRs (for a stack that declares many IpRules, or a read-back list).
 * Entries that do not parse are skipped: parseIpv4Cidr reports them. Heroku appears to key rules by exact CIDR
 * (docs/heroku-api.md 1.3), so a duplicate would fail at create; an overlap is allowed but usually a mistake.
 */
export function findCidrConflicts(cidrs: readonly string[]): CidrConflict[] {
  const parsed = cidrs.map((text) => {
    const result = parseIpv4Cidr(text);
    return result.ok ? result.cidr : undefined;
  });
  const conflicts: CidrConflict[] = [];
  parsed.forEach((a, i) => {
    parsed.slice(i + 1).forEach((b, offset) => {
      const j = i + 1 + offset;
      if (!a || !b || !cidrsOverlap(a, b)) return;
      const duplicate = a.network === b.network && a.prefix === b.prefix;
      conflicts.push({
        kind: duplicate ? "duplicate" : "overlap",
        first: i,
        second: j,
        message: duplicate
          ? `cidr ${a.text} is listed twice (entries ${i} and ${j}); the same CIDR cannot be allowed twice on one database`
          : `cidr ${a.text} (entry ${i}) overlaps ${b.text} (entry ${j})`,
      });
    });
  });
  return conflicts;
}

/**
 * The limit check made before anything is created: `existing` rules already on the database plus `adding`.
 * Returns the message naming the limit and the database, or undefined when the plan fits.
 */
export function checkIpRuleCapacity(database: string, existing: number, adding = 1): string | undefined {
  const planned = existing + adding;
  if (planned <= MAX_IP_RULES_PER_DATABASE) return undefined;
  return (
    `database ${database} would have ${planned} IP rules (${existing} existing + ${adding} new); ` +
    `Heroku Postgres allows at most ${MAX_IP_RULES_PER_DATABASE} IP rules per database`
  );
}

/** What the IpRule check knows about its database at preview. */
export interface IpRuleDatabaseFacts {
  database: string;
  /** Heroku's tls-endpoint is on (the rule list answers), or an MtlsConfig of this run enables it. */
  mtls: boolean;
  /** CIDRs allowlisted at Heroku now. */
  existing: readonly string[];
  /** CIDRs declared by the IpRules of this run on the database, this one included. */
  declared: readonly string[];
}

/**
 * Needs mTLS, and at most MAX_IP_RULES_PER_DATABASE rules once this run's are made: the rules at Heroku and those
 * declared in the stack, each CIDR once (a declared rule that exists already is not counted twice).
 */
export function checkIpRuleDatabase(facts: IpRuleDatabaseFacts): CheckFailure[] {
  if (!facts.mtls) {
    return [
      {
        property: "database",
        reason: `database ${facts.database} has no mTLS (Heroku's tls-endpoint answers 404) and no MtlsConfig of this stack enables it; IP rules need mTLS: declare an MtlsConfig for the database and make this rule depend on it`,
      },
    ];
  }
  const all = new Set([...facts.existing, ...facts.declared]);
  if (all.size <= MAX_IP_RULES_PER_DATABASE) return [];
  const added = facts.declared.filter((c) => !facts.existing.includes(c)).length;
  return [
    {
      property: "database",
      reason:
        `database ${facts.database} would have ${all.size} IP rules (${facts.existing.length} at Heroku + ${added} more declared in this stack, this one included); ` +
        `Heroku Postgres allows at most ${MAX_IP_RULES_PER_DATABASE} IP rules per database`,
    },
  ];
}

/** The rule for a wide block, or undefined when the prefix needs no acknowledgement. */
export function wideCidrProblem(cidr: Ipv4Cidr, acknowledged: boolean): string | undefined {
  if (acknowledged || cidr.prefix >= WIDE_CIDR_MIN_PREFIX) return undefined;
  const reach = cidr.prefix === 0 ? "every IPv4 address" : `${blockSize(cidr.prefix)} addresses`;
  return (
    `cidr ${cidr.text} allows ${reach}; prefixes shorter than /${WIDE_CIDR_MIN_PREFIX} need ` +
    "acknowledgeWideCidr: true to confirm (client certificates still apply)"
  );
}

/** Every rule one block must meet (shape, canonical form, width); undefined when the block is fine. */
export function cidrProblem(cidr: string, acknowledgeWideCidr: boolean): string | undefined {
  const parsed = parseIpv4Cidr(cidr);
  return parsed.ok ? wideCidrProblem(parsed.cidr, acknowledgeWideCidr) : parsed.reason;
}

/** The shape of an id given to adopt a rule (`heroku data:mtls:ip-rules` lists them). */
export function ruleIdProblem(property: string, id: string): string | undefined {
  return UUID.test(id) ? undefined : `${property} must be an IP rule id (a UUID), got ${echo(id)}`;
}

/** The description rules; undefined when the description is fine. */
export function descriptionProblem(description: string): string | undefined {
  if (description.trim().length === 0) return "description is required and must not be blank";
  if (description.length > MAX_IP_RULE_DESCRIPTION_LENGTH) {
    return `description must be at most ${MAX_IP_RULE_DESCRIPTION_LENGTH} characters, got ${description.length}`;
  }
  if (hasControlCharacter(description))
    return "description must not contain control characters such as newlines or tabs";
  return undefined;
}

/** The pure part of IpRule's `check`: every rule, no API call. Unknown values (preview) pass. */
export function validateIpRule(raw: Record<string, unknown>): { inputs: IpRuleInputs; failures: CheckFailure[] } {
  const f = new Failures();
  f.requiredString("database", raw.database);
  f.optionalBoolean("acknowledgeWideCidr", raw.acknowledgeWideCidr);

  if (raw.cidr === undefined || (typeof raw.cidr !== "string" && !isUnknown(raw.cidr))) {
    f.add("cidr", "cidr is required and must be an IPv4 CIDR block like 203.0.113.10/32");
  } else if (typeof raw.cidr === "string" && !isUnknown(raw.cidr)) {
    const problem = cidrProblem(raw.cidr, raw.acknowledgeWideCidr === true);
    if (problem) f.add("cidr", problem);
  }

  if (raw.description === undefined || (typeof raw.description !== "string" && !isUnknown(raw.description))) {
    f.add("description", 'description is required and must be a string, e.g. "Office IP"');
  } else if (typeof raw.description === "string" && !isUnknown(raw.description)) {
    const problem = descriptionProblem(raw.description);
    if (problem) f.add("description", problem);
  }

  if (f.optionalString("adoptRuleId", raw.adoptRuleId) && typeof raw.adoptRuleId === "string") {
    const problem = isUnknown(raw.adoptRuleId) ? undefined : ruleIdProblem("adoptRuleId", raw.adoptRuleId);
    if (problem) f.add("adoptRuleId", problem);
  }
  checkTimeouts(f, raw.timeouts);
  return { inputs: { ...raw } as unknown as IpRuleInputs, failures: f.list };
}

function hasControlCharacter(text: string): boolean {
  return [...text].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);
}

function hasLeadingZero(digits: string): boolean {
  return digits.length > 1 && digits.startsWith("0");
}

function fail(reason: string): CidrParse {
  return { ok: false, reason };
}
