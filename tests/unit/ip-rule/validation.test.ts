import { UNKNOWN } from "../../../provider/shared/unknown";
import {
  MAX_IP_RULE_DESCRIPTION_LENGTH,
  MAX_IP_RULES_PER_DATABASE,
  WIDE_CIDR_MIN_PREFIX,
  checkIpRuleCapacity,
  cidrsOverlap,
  findCidrConflicts,
  formatIpv4,
  parseIpv4Cidr,
  validateIpRule,
  type Ipv4Cidr,
} from "../../../provider/ip-rule/validation";

function cidr(text: string): Ipv4Cidr {
  const parsed = parseIpv4Cidr(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.cidr;
}

describe("parseIpv4Cidr accepts canonical blocks", () => {
  it.each([
    ["1.2.3.4/32", 0x01020304, 32],
    ["10.0.0.0/8", 0x0a000000, 8],
    ["0.0.0.0/0", 0, 0],
    ["255.255.255.255/32", 0xffffffff, 32],
    ["192.168.128.0/17", 0xc0a88000, 17],
    ["203.0.113.0/24", 0xcb007100, 24],
  ])("%s", (text, network, prefix) => {
    expect(parseIpv4Cidr(text)).toEqual({ ok: true, cidr: { network, prefix, text } });
  });
});

describe("parseIpv4Cidr rejects with a reason naming the rule", () => {
  it.each([
    ["10.1.2.3/8", "cidr 10.1.2.3/8 has host bits set; did you mean 10.0.0.0/8?"],
    ["192.168.1.77/24", "cidr 192.168.1.77/24 has host bits set; did you mean 192.168.1.0/24?"],
    ["1.2.3.4/0", "cidr 1.2.3.4/0 has host bits set; did you mean 0.0.0.0/0?"],
    ["255.255.255.255/31", "cidr 255.255.255.255/31 has host bits set; did you mean 255.255.255.254/31?"],
    [
      "1.2.3.4",
      'cidr must be an IPv4 CIDR block like 203.0.113.10/32, got "1.2.3.4"; a single address is written 1.2.3.4/32',
    ],
    ["1.2.3/24", 'cidr must be an IPv4 CIDR block like 203.0.113.10/32, got "1.2.3/24"'],
    [" 1.2.3.4/32", 'cidr must be an IPv4 CIDR block like 203.0.113.10/32, got " 1.2.3.4/32"'],
    ["::1/128", 'cidr must be an IPv4 CIDR block like 203.0.113.10/32, got "::1/128"'],
    ["1.2.3.4/-1", 'cidr must be an IPv4 CIDR block like 203.0.113.10/32, got "1.2.3.4/-1"'],
    ["256.0.0.0/8", "cidr 256.0.0.0/8: octet 256 is out of range; each octet must be 0 to 255"],
    ["1.2.3.999/32", "cidr 1.2.3.999/32: octet 999 is out of range; each octet must be 0 to 255"],
    ["010.0.0.0/8", 'cidr 010.0.0.0/8: octet "010" has a leading zero; write 10'],
    ["1.2.3.00/32", 'cidr 1.2.3.00/32: octet "00" has a leading zero; write 0'],
    ["1.2.3.4/33", "cidr 1.2.3.4/33: prefix /33 must be a whole number from 0 to 32"],
    ["1.2.3.4/032", "cidr 1.2.3.4/032: prefix /032 must be a whole number from 0 to 32"],
  ])("%s", (text, reason) => {
    expect(parseIpv4Cidr(text)).toEqual({ ok: false, reason });
  });
});

describe("overlap and duplicates", () => {
  it("formats addresses from unsigned numbers", () => {
    expect(formatIpv4(0xffffffff)).toBe("255.255.255.255");
    expect(formatIpv4(0xc0a80001)).toBe("192.168.0.1");
  });

  it.each([
    ["10.0.0.0/8", "10.1.0.0/16", true],
    ["10.1.0.0/16", "10.0.0.0/8", true],
    ["10.0.0.0/8", "11.0.0.0/8", false],
    ["0.0.0.0/0", "203.0.113.7/32", true],
    ["192.168.1.0/25", "192.168.1.128/25", false],
    ["1.2.3.4/32", "1.2.3.4/32", true],
  ])("%s and %s overlap: %s", (a, b, expected) => {
    expect(cidrsOverlap(cidr(a), cidr(b))).toBe(expected);
  });

  it("reports duplicates and overlaps by index, skipping entries that do not parse", () => {
    expect(findCidrConflicts(["1.2.3.4/32", "10.0.0.0/8", "bad", "10.9.0.0/16", "1.2.3.4/32", "11.0.0.0/8"])).toEqual([
      {
        kind: "duplicate",
        first: 0,
        second: 4,
        message:
          "cidr 1.2.3.4/32 is listed twice (entries 0 and 4); the same CIDR cannot be allowed twice on one database",
      },
      { kind: "overlap", first: 1, second: 3, message: "cidr 10.0.0.0/8 (entry 1) overlaps 10.9.0.0/16 (entry 3)" },
    ]);
    expect(findCidrConflicts(["1.2.3.4/32", "1.2.3.5/32"])).toEqual([]);
  });
});

describe("checkIpRuleCapacity", () => {
  it("allows up to the limit and names the limit and the database beyond it", () => {
    expect(MAX_IP_RULES_PER_DATABASE).toBe(60);
    expect(checkIpRuleCapacity("postgresql-rectangle-12345", 59)).toBeUndefined();
    expect(checkIpRuleCapacity("postgresql-rectangle-12345", 0, 60)).toBeUndefined();
    expect(checkIpRuleCapacity("postgresql-rectangle-12345", 60)).toBe(
      "database postgresql-rectangle-12345 would have 61 IP rules (60 existing + 1 new); Heroku Postgres allows at most 60 IP rules per database",
    );
    expect(checkIpRuleCapacity("db", 58, 5)).toBe(
      "database db would have 63 IP rules (58 existing + 5 new); Heroku Postgres allows at most 60 IP rules per database",
    );
  });
});

describe("validateIpRule", () => {
  const good = { database: "postgresql-rectangle-12345", cidr: "203.0.113.10/32", description: "Office IP" };

  it("passes good input through unchanged", () => {
    expect(validateIpRule(good)).toEqual({ inputs: good, failures: [] });
  });

  it("lets unknown values through (preview)", () => {
    expect(
      validateIpRule({ database: UNKNOWN, cidr: UNKNOWN, description: UNKNOWN, adoptRuleId: UNKNOWN }).failures,
    ).toEqual([]);
  });

  const wideReason = (text: string, reach: string): string =>
    `cidr ${text} allows ${reach}; prefixes shorter than /${WIDE_CIDR_MIN_PREFIX} need acknowledgeWideCidr: true to confirm (client certificates still apply)`;

  it.each<[string, Record<string, unknown>, { property: string; reason: string }[]]>([
    [
      "missing everything",
      {},
      [
        { property: "database", reason: "database is required and must be a non-empty string" },
        { property: "cidr", reason: "cidr is required and must be an IPv4 CIDR block like 203.0.113.10/32" },
        { property: "description", reason: 'description is required and must be a string, e.g. "Office IP"' },
      ],
    ],
    [
      "host bits",
      { ...good, cidr: "10.1.2.3/8" },
      [{ property: "cidr", reason: "cidr 10.1.2.3/8 has host bits set; did you mean 10.0.0.0/8?" }],
    ],
    [
      "the whole internet",
      { ...good, cidr: "0.0.0.0/0" },
      [{ property: "cidr", reason: wideReason("0.0.0.0/0", "every IPv4 address") }],
    ],
    [
      "a /7",
      { ...good, cidr: "10.0.0.0/7" },
      [{ property: "cidr", reason: wideReason("10.0.0.0/7", "33554432 addresses") }],
    ],
    [
      "acknowledged must be a boolean",
      { ...good, cidr: "0.0.0.0/0", acknowledgeWideCidr: "yes" },
      [
        { property: "acknowledgeWideCidr", reason: "acknowledgeWideCidr must be true or false" },
        { property: "cidr", reason: wideReason("0.0.0.0/0", "every IPv4 address") },
      ],
    ],
    [
      "blank description",
      { ...good, description: "   " },
      [{ property: "description", reason: "description is required and must not be blank" }],
    ],
    [
      "long description",
      { ...good, description: "x".repeat(MAX_IP_RULE_DESCRIPTION_LENGTH + 1) },
      [
        {
          property: "description",
          reason: `description must be at most ${MAX_IP_RULE_DESCRIPTION_LENGTH} characters, got 256`,
        },
      ],
    ],
    [
      "newline in description",
      { ...good, description: "office\nwifi" },
      [{ property: "description", reason: "description must not contain control characters such as newlines or tabs" }],
    ],
    [
      "adoptRuleId not a uuid",
      { ...good, adoptRuleId: "rule-1" },
      [{ property: "adoptRuleId", reason: 'adoptRuleId must be an IP rule id (a UUID), got "rule-1"' }],
    ],
    [
      "bad timeout",
      { ...good, timeouts: { create: "soon" } },
      [
        {
          property: "timeouts.create",
          reason:
            'timeouts.create must be a duration like "20m", "1h30m" or "90s", above zero and at most 24h0m0s, got "soon"',
        },
      ],
    ],
  ])("%s", (_name, raw, failures) => {
    expect(validateIpRule(raw).failures).toEqual(failures);
  });

  it.each(["0.0.0.0/0", "10.0.0.0/7", "0.0.0.0/1"])("accepts %s when acknowledged", (text) => {
    expect(validateIpRule({ ...good, cidr: text, acknowledgeWideCidr: true }).failures).toEqual([]);
  });

  it(`accepts a /${WIDE_CIDR_MIN_PREFIX} and a description of exactly the limit without acknowledgement`, () => {
    const raw = { ...good, cidr: "10.0.0.0/8", description: "d".repeat(MAX_IP_RULE_DESCRIPTION_LENGTH) };
    expect(validateIpRule(raw).failures).toEqual([]);
  });

  it("accepts a UUID adoption id", () => {
    expect(validateIpRule({ ...good, adoptRuleId: "38c466b6-dcfb-4869-b5ac-40420b786fb4" }).failures).toEqual([]);
  });
});
