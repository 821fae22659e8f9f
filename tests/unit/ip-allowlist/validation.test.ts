import { MAX_IP_RULES_PER_DATABASE, MAX_IP_RULE_DESCRIPTION_LENGTH } from "../../../provider/ip-rule/validation";
import { validateIpAllowlist } from "../../../provider/ip-allowlist/validation";
import { UNKNOWN } from "../../../provider/shared/unknown";

const DB = "postgresql-rectangle-12345";
const RULE_ID = "38c466b6-dcfb-4869-b5ac-40420b786fb4";
const office = { cidr: "203.0.113.0/24", description: "office" };
const vpn = { cidr: "198.51.100.7/32", description: "vpn" };

function reasons(raw: Record<string, unknown>): string[] {
  return validateIpAllowlist(raw).failures.map((f) => `${f.property}: ${f.reason}`);
}

describe("validateIpAllowlist", () => {
  it("keys the declared list by CIDR, keeping acknowledgeWideCidr only when true", () => {
    const { inputs, failures } = validateIpAllowlist({
      database: DB,
      entries: [
        office,
        { ...vpn, acknowledgeWideCidr: false },
        { cidr: "10.0.0.0/7", description: "wide", acknowledgeWideCidr: true },
      ],
    });
    expect(failures).toEqual([]);
    expect(inputs.entries).toEqual({
      "203.0.113.0/24": { description: "office" },
      "198.51.100.7/32": { description: "vpn" },
      "10.0.0.0/7": { description: "wide", acknowledgeWideCidr: true },
    });
  });

  it.each([
    ["no database", { entries: [office] }, "database: database is required and must be a non-empty string"],
    ["entries missing", { database: DB }, "entries: entries is required and must be a list of blocks"],
    ["entries not a list", { database: DB, entries: { "203.0.113.0/24": "office" } }, "entries: entries is required"],
    [
      "an entry not an object",
      { database: DB, entries: ["203.0.113.0/24"] },
      "entries: entries[0] must be a block like",
    ],
    [
      "host bits set",
      { database: DB, entries: [office, { cidr: "10.1.2.3/8", description: "x" }] },
      "entries: entries[1] (10.1.2.3/8): cidr 10.1.2.3/8 has host bits set; did you mean 10.0.0.0/8?",
    ],
    [
      "a bare address",
      { database: DB, entries: [{ cidr: "198.51.100.7", description: "x" }] },
      "a single address is written 198.51.100.7/32",
    ],
    [
      "a wide block",
      { database: DB, entries: [{ cidr: "0.0.0.0/0", description: "all" }] },
      "entries: entries[0] (0.0.0.0/0): cidr 0.0.0.0/0 allows every IPv4 address; prefixes shorter than /8 need acknowledgeWideCidr: true",
    ],
    ["no cidr", { database: DB, entries: [{ description: "x" }] }, "entries: entries[0]: cidr is required"],
    [
      "no description",
      { database: DB, entries: [{ cidr: office.cidr }] },
      "entries: entries[0] (203.0.113.0/24): description is required",
    ],
    [
      "a blank description",
      { database: DB, entries: [{ cidr: office.cidr, description: " " }] },
      "description is required and must not be blank",
    ],
    [
      "a description too long",
      { database: DB, entries: [{ cidr: office.cidr, description: "x".repeat(MAX_IP_RULE_DESCRIPTION_LENGTH + 1) }] },
      `description must be at most ${MAX_IP_RULE_DESCRIPTION_LENGTH} characters`,
    ],
    [
      "a newline in a description",
      { database: DB, entries: [{ cidr: office.cidr, description: "a\nb" }] },
      "must not contain control characters",
    ],
    [
      "acknowledgeWideCidr not a boolean",
      { database: DB, entries: [{ ...office, acknowledgeWideCidr: "yes" }] },
      "entries: entries[0] (203.0.113.0/24): acknowledgeWideCidr must be true or false",
    ],
    [
      "a CIDR listed twice",
      { database: DB, entries: [office, vpn, { ...office, description: "again" }] },
      "entries: entries: cidr 203.0.113.0/24 is listed twice (entries 0 and 2)",
    ],
    [
      "an adopted id of a block not listed",
      { database: DB, entries: [office], adoptRuleIds: { "192.0.2.0/24": RULE_ID } },
      "adoptRuleIds: adoptRuleIds names 192.0.2.0/24, which is not one of the entries",
    ],
    [
      "an adopted id that is no UUID",
      { database: DB, entries: [office], adoptRuleIds: { [office.cidr]: "rule-1" } },
      'adoptRuleIds: adoptRuleIds["203.0.113.0/24"] must be an IP rule id (a UUID), got "rule-1"',
    ],
    [
      "adoptRuleIds not a map",
      { database: DB, entries: [office], adoptRuleIds: [RULE_ID] },
      "adoptRuleIds: adoptRuleIds must map CIDR blocks to ids",
    ],
    ["a bad timeout", { database: DB, entries: [office], timeouts: { create: "soon" } }, "timeouts.create"],
  ])("refuses %s, naming the field and the rule", (_label, raw, expected) => {
    expect(reasons(raw as Record<string, unknown>).join("\n")).toContain(expected);
  });

  it(`refuses more than ${MAX_IP_RULES_PER_DATABASE} blocks, quoting the limit`, () => {
    const entries = Array.from({ length: MAX_IP_RULES_PER_DATABASE + 1 }, (_, i) => ({
      cidr: `10.0.${i}.0/24`,
      description: `b${i}`,
    }));
    expect(reasons({ database: DB, entries })).toEqual([
      `entries: entries lists ${MAX_IP_RULES_PER_DATABASE + 1} blocks, but Heroku Postgres allows at most ${MAX_IP_RULES_PER_DATABASE} IP rules per database`,
    ]);
    expect(reasons({ database: DB, entries: entries.slice(0, MAX_IP_RULES_PER_DATABASE) })).toEqual([]);
  });

  it("accepts an empty allowlist and an adopted id of a listed block", () => {
    expect(reasons({ database: DB, entries: [] })).toEqual([]);
    expect(reasons({ database: DB, entries: [office], adoptRuleIds: { [office.cidr]: RULE_ID } })).toEqual([]);
  });

  it.each([
    ["the whole list", UNKNOWN],
    ["one entry", [office, UNKNOWN]],
    ["one CIDR", [office, { cidr: UNKNOWN, description: "x" }]],
  ])("leaves entries unknown while %s is unknown (preview), checking what is known", (_label, entries) => {
    const { inputs, failures } = validateIpAllowlist({ database: DB, entries });
    expect(failures).toEqual([]);
    expect(inputs.entries).toBe(UNKNOWN);
  });

  it("keys entries whose description alone is unknown, and still checks the known blocks", () => {
    const { inputs, failures } = validateIpAllowlist({
      database: UNKNOWN,
      entries: [{ cidr: office.cidr, description: UNKNOWN }],
    });
    expect(failures).toEqual([]);
    expect(inputs.entries).toEqual({ [office.cidr]: { description: UNKNOWN } });
    expect(reasons({ database: DB, entries: [UNKNOWN, { cidr: "10.1.2.3/8", description: "x" }] })).toEqual([
      "entries: entries[1] (10.1.2.3/8): cidr 10.1.2.3/8 has host bits set; did you mean 10.0.0.0/8?",
    ]);
  });
});

describe("check", () => {
  it("keeps the supersedesIpRules the create had: only the create reads them, so later previews never show them", async () => {
    // Same database spelling on both sides: check reads nothing from Heroku.
    const { check } = await import("../../../provider/ip-allowlist/hooks");
    const olds = {
      database: DB,
      entries: { [office.cidr]: { description: "office" } },
      supersedesIpRules: { [office.cidr]: "k1" },
    };
    const later = await check(olds, {
      database: DB,
      entries: [office, vpn],
      supersedesIpRules: { [office.cidr]: "k1", [vpn.cidr]: "k2" },
    });
    expect(later.failures).toEqual([]);
    expect(later.inputs.supersedesIpRules).toEqual({ [office.cidr]: "k1" });
    const created = await check(undefined, {
      database: DB,
      entries: [office, vpn],
      supersedesIpRules: { [vpn.cidr]: "k2" },
    });
    expect(created.inputs.supersedesIpRules).toEqual({ [vpn.cidr]: "k2" });
  });
});
