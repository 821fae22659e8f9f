import {
  checkIpRuleDatabase,
  type IpRuleDatabaseFacts,
  MAX_IP_RULES_PER_DATABASE,
} from "../../../provider/ip-rule/validation";

const cidrs = (n: number, from = 0): string[] => Array.from({ length: n }, (_, i) => `10.${from + i}.0.0/16`);

describe("checkIpRuleDatabase: mTLS on, and room for the rules at Heroku plus those of the stack", () => {
  it.each<[string, Omit<IpRuleDatabaseFacts, "database">, string[]]>([
    ["a first rule", { mtls: true, existing: [], declared: ["10.0.0.0/16"] }, []],
    [
      "no mTLS at Heroku or in the stack",
      { mtls: false, existing: [], declared: ["10.0.0.0/16"] },
      [
        "database db has no mTLS (Heroku's tls-endpoint answers 404) and no MtlsConfig of this stack enables it; IP rules need mTLS: declare an MtlsConfig for the database and make this rule depend on it",
      ],
    ],
    ["59 at Heroku and 1 declared", { mtls: true, existing: cidrs(59), declared: cidrs(1, 100) }, []],
    ["60 declared, all already at Heroku", { mtls: true, existing: cidrs(60), declared: cidrs(60) }, []],
    [
      "59 at Heroku and 2 declared",
      { mtls: true, existing: cidrs(59), declared: cidrs(2, 100) },
      [
        `database db would have 61 IP rules (59 at Heroku + 2 more declared in this stack, this one included); Heroku Postgres allows at most ${MAX_IP_RULES_PER_DATABASE} IP rules per database`,
      ],
    ],
    [
      "61 declared on a new allowlist",
      { mtls: true, existing: [], declared: cidrs(61) },
      [
        `database db would have 61 IP rules (0 at Heroku + 61 more declared in this stack, this one included); Heroku Postgres allows at most ${MAX_IP_RULES_PER_DATABASE} IP rules per database`,
      ],
    ],
  ])("%s", (_what, facts, expected) => {
    const failures = checkIpRuleDatabase({ database: "db", ...facts });
    expect(failures.map((f) => f.reason)).toEqual(expected);
    for (const f of failures) expect(f.property).toBe("database");
  });
});
