import { IP_RULE_DIFF_TABLE, diffIpRule, ipRuleDeleteBeforeReplace } from "../../../provider/ip-rule/diff-table";
import { UNKNOWN } from "../../../provider/shared/unknown";

const stored = {
  database: "postgresql-rectangle-12345",
  cidr: "203.0.113.10/32",
  description: "Office IP",
  ruleId: "38c466b6-dcfb-4869-b5ac-40420b786fb4",
  status: "Authorized",
  createdAt: "2024-07-31T01:16:17.000Z",
  updatedAt: "2024-07-31T01:18:40.000Z",
};
const inputs = { database: stored.database, cidr: stored.cidr, description: stored.description };

describe("IP_RULE_DIFF_TABLE", () => {
  it("replaces on everything Heroku stores, updates only provider settings", () => {
    const byKind = (kind: string): string[] =>
      Object.entries(IP_RULE_DIFF_TABLE)
        .filter(([, k]) => k === kind)
        .map(([field]) => field);
    expect(byKind("replace")).toEqual(["database", "cidr", "description"]);
    expect(byKind("update")).toEqual(["acknowledgeWideCidr", "timeouts"]);
    expect(byKind("output")).toEqual(["ruleId", "status", "createdAt", "updatedAt"]);
  });
});

describe("diffIpRule", () => {
  it("no change when the inputs match the stored state", () => {
    expect(diffIpRule(stored, inputs)).toEqual({
      changes: false,
      replaces: [],
      updates: [],
      deleteBeforeReplace: false,
    });
  });

  it("a description-only change deletes before re-creating the same CIDR", () => {
    expect(diffIpRule(stored, { ...inputs, description: "Office Wi-Fi" })).toEqual({
      changes: true,
      replaces: ["description"],
      updates: [],
      deleteBeforeReplace: true,
    });
  });

  it("a new CIDR is created before the old one is deleted, so access never pauses", () => {
    expect(diffIpRule(stored, { ...inputs, cidr: "203.0.113.0/24", description: "Office" })).toEqual({
      changes: true,
      replaces: ["cidr", "description"],
      updates: [],
      deleteBeforeReplace: false,
    });
  });

  it("moving to another database creates first", () => {
    expect(diffIpRule(stored, { ...inputs, database: "postgresql-other-1" }).deleteBeforeReplace).toBe(false);
  });

  it("an unknown CIDR (preview) plans a replacement that deletes first", () => {
    expect(diffIpRule(stored, { ...inputs, cidr: UNKNOWN })).toEqual({
      changes: true,
      replaces: ["cidr"],
      updates: [],
      deleteBeforeReplace: true,
    });
  });

  it("acknowledging or changing timeouts is an in-place update", () => {
    expect(diffIpRule(stored, { ...inputs, acknowledgeWideCidr: true, timeouts: { create: "30m" } })).toEqual({
      changes: true,
      replaces: [],
      updates: ["acknowledgeWideCidr", "timeouts"],
      deleteBeforeReplace: false,
    });
  });

  it("ipRuleDeleteBeforeReplace compares database and cidr only", () => {
    expect(ipRuleDeleteBeforeReplace(stored, { ...inputs, description: "x" })).toBe(true);
    expect(ipRuleDeleteBeforeReplace(stored, { ...inputs, database: UNKNOWN })).toBe(true);
    expect(ipRuleDeleteBeforeReplace(stored, { ...inputs, cidr: "1.1.1.1/32" })).toBe(false);
  });
});
