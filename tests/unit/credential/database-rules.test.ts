import {
  checkCredentialCount,
  checkCredentialDatabase,
  type CredentialCountFacts,
  MAX_CREDENTIALS_PER_DATABASE,
} from "../../../provider/credential/validation";

const names = (n: number, prefix = "c"): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe("checkCredentialCount: the credentials at Heroku plus those of the stack, each name once", () => {
  it.each<[string, Omit<CredentialCountFacts, "database">, string[]]>([
    ["a first credential", { existing: ["default"], declared: ["ops"] }, []],
    ["59 at Heroku and 1 declared", { existing: ["default", ...names(58)], declared: ["ops"] }, []],
    ["declared ones that exist count once", { existing: ["default", ...names(59)], declared: names(59) }, []],
    [
      "59 at Heroku and 2 declared",
      { existing: ["default", ...names(58)], declared: ["ops", "bi"] },
      [
        `database db would have 61 credentials (59 at Heroku, the default included, + 2 more declared in this stack, this one included); Heroku Postgres allows at most ${MAX_CREDENTIALS_PER_DATABASE} credentials per database`,
      ],
    ],
  ])("%s", (_what, facts, expected) => {
    expect(checkCredentialCount({ database: "db", ...facts }).map((f) => f.reason)).toEqual(expected);
  });
});

describe("checkCredentialDatabase: production plans, no followers (the Data API's bare plan names too)", () => {
  it.each<[string, string, string | undefined, number]>([
    ["private", "private-0", undefined, 0],
    ["standard", "heroku-postgresql:standard-0", undefined, 0],
    ["essential", "essential-0", undefined, 1],
    ["a follower", "private-0", "postgresql-leader-1", 1],
    ["an essential follower", "essential-0", "postgresql-leader-1", 2],
  ])("%s", (_what, plan, followerOf, count) => {
    const failures = checkCredentialDatabase({ database: "db", plan, ...(followerOf ? { followerOf } : {}) });
    expect(failures).toHaveLength(count);
    for (const f of failures) expect(f.reason).toMatch(/^database db /);
  });
});
