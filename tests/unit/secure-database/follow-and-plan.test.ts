import { SECURE_DATABASE_DIFF_TABLE, SECURE_DATABASE_SAME_VALUE } from "../../../provider/secure-database/diff-table";
import {
  derivedAddonName,
  followerKeyProblem,
  PLAN_CHANGE_GROUPS,
  planChangeProblem,
  validateChange,
  validateSecureDatabase,
} from "../../../provider/secure-database/validation";
import { diffFromTable } from "../../../provider/shared/diff-table";
import { UNKNOWN } from "../../../provider/shared/unknown";

const P = "heroku-postgresql:";
const KEY_A = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const KEY_B = "arn:aws:kms:us-east-1:123456789012:key/99999999-12ab-34cd-56ef-1234567890ab";

describe("planChangeProblem", () => {
  it.each<[string, string]>([
    ["private-0", "private-2"],
    ["shield-0", "shield-4"],
    ["standard-0", "premium-2"],
    ["essential-0", "essential-1"],
    ["private-0", "private-0"],
  ])("%s -> %s changes in place", (from, to) => {
    expect(planChangeProblem(P + from, P + to)).toBeUndefined();
  });

  it.each<[string, string, string]>([
    ["private-0", "standard-0", "(Private) to heroku-postgresql:standard-0 (Standard or Premium)"],
    ["private-0", "shield-0", "(Private) to heroku-postgresql:shield-0 (Shield)"],
    ["standard-0", "private-0", "(Standard or Premium) to heroku-postgresql:private-0 (Private)"],
    ["essential-0", "standard-0", "(Essential) to heroku-postgresql:standard-0 (Standard or Premium)"],
  ])("%s -> %s is refused, naming both groups", (from, to, groups) => {
    const problem = planChangeProblem(P + from, P + to);
    expect(problem).toContain(`plan cannot change in place from ${P}${from} ${groups}`);
    expect(problem).toContain(`within the ${PLAN_CHANGE_GROUPS[from.split("-")[0] ?? ""]} plans`);
  });

  it("says to copy the data when Essential plans are involved, and to follow and promote otherwise", () => {
    expect(planChangeProblem(`${P}essential-0`, `${P}standard-0`)).toContain("heroku pg:copy");
    expect(planChangeProblem(`${P}private-0`, `${P}standard-0`)).toContain("follow, then promote it");
  });
});

describe("validateChange", () => {
  const olds = { app: "acme-api", plan: `${P}private-0` };
  it("refuses a plan change out of the group on plan, and lets unknown plans through", () => {
    expect(validateChange(olds, { ...olds, plan: `${P}standard-0` }).map((f) => f.property)).toEqual(["plan"]);
    expect(validateChange(olds, { ...olds, plan: UNKNOWN })).toEqual([]);
    expect(validateChange(olds, { ...olds, plan: `${P}private-2` })).toEqual([]);
  });
  it("refuses promote without follow, unless an earlier run already asked for it", () => {
    expect(validateChange(olds, { ...olds, promote: true })).toEqual([
      {
        property: "promote",
        reason:
          "promote makes a follower the app's primary database, so it needs follow (the leader's add-on id or name)",
      },
    ]);
    expect(validateChange({ ...olds, promote: true }, { ...olds, promote: true })).toEqual([]);
  });
  it.each<[string, Record<string, unknown> | undefined]>([
    ["no old inputs", undefined],
    ["the empty old inputs the host passes on a create", {}],
  ])("refuses promote on a database that does not exist yet (%s)", (_what, none) => {
    const failures = validateChange(none, { ...olds, follow: "postgresql-old", promote: true });
    expect(failures.map((f) => f.property)).toEqual(["promote"]);
    expect(failures[0]?.reason).toContain("create the follower first");
  });
});

describe("validateSecureDatabase follow and promote", () => {
  const base = { app: "acme-api", plan: `${P}private-0` };
  it("takes an add-on name, an id or an unknown value as follow", () => {
    for (const follow of ["postgresql-old-1234", "0b6b7e3c-1111-4222-8333-944444444444", UNKNOWN]) {
      expect(validateSecureDatabase({ ...base, follow }).failures).toEqual([]);
    }
  });
  it.each<[string, Record<string, unknown>, string, string]>([
    [
      "a URL as follow",
      { follow: "postgres://x" },
      "follow",
      'follow must be the leader\'s add-on id (UUID) or add-on name, got "postgres://x"',
    ],
    ["promote as text", { promote: "yes" }, "promote", "promote must be true or false"],
  ])("refuses %s", (_what, extra, property, reason) => {
    expect(validateSecureDatabase({ ...base, ...extra }).failures).toEqual([{ property, reason }]);
  });
});

describe("followerKeyProblem", () => {
  it("allows any key on an unencrypted leader, and the leader's own key", () => {
    expect(followerKeyProblem("old", undefined, KEY_A)).toBeUndefined();
    expect(followerKeyProblem("old", undefined, undefined)).toBeUndefined();
    expect(followerKeyProblem("old", KEY_A, KEY_A)).toBeUndefined();
  });
  it("refuses another key, or none, on an encrypted leader, naming the leader's key", () => {
    expect(followerKeyProblem("old", KEY_A, KEY_B)).toBe(
      `encryptionKeyArn must be ${KEY_A}, the key of leader old: a follower uses its leader's key (Heroku's BYOK "Limitations"), and got ${KEY_B}`,
    );
    expect(followerKeyProblem("old", KEY_A, undefined)).toContain("and it is unset");
  });
});

describe("SecureDatabase diff of follow and promote", () => {
  const diff = (olds: Record<string, unknown>, news: Record<string, unknown>) =>
    diffFromTable(SECURE_DATABASE_DIFF_TABLE, olds, news, { sameValue: SECURE_DATABASE_SAME_VALUE });
  const base = { app: "a", plan: `${P}private-0` };
  const follower = { ...base, follow: "old", following: "old" };

  it("a new leader replaces; promote is an update", () => {
    expect(diff(follower, { ...base, follow: "other" }).replaces).toEqual(["follow"]);
    expect(diff(follower, { ...base, follow: "old", promote: true })).toMatchObject({
      replaces: [],
      updates: ["promote"],
    });
    expect(diff(follower, { ...base, follow: UNKNOWN }).replaces).toEqual(["follow"]);
    expect(diff(follower, { ...base, follow: "old", promote: UNKNOWN }).updates).toEqual(["promote"]);
  });

  it("removing follow from a follower replaces it, from a promoted database changes nothing", () => {
    expect(diff(follower, base).replaces).toEqual(["follow"]);
    const promoted = { ...base, follow: "old", promote: true, promoted: true };
    expect(diff(promoted, base).changes).toBe(false);
    expect(diff(promoted, { ...base, promote: true }).changes).toBe(false);
  });

  it("a database with follow unset and never promoted sees promote: false as no change", () => {
    expect(diff(base, { ...base, promote: false }).changes).toBe(false);
  });
});

describe("derivedAddonName", () => {
  const inputs = { app: "acme-api", plan: `${P}private-0` };
  it("is unchanged for databases without follow, and differs for a follower of the same resource", () => {
    const plain = derivedAddonName("k", inputs);
    expect(derivedAddonName("k", { ...inputs, follow: undefined })).toBe(plain);
    expect(derivedAddonName("k", { ...inputs, follow: "old" })).not.toBe(plain);
  });
});
