import {
  absentProblem,
  asReported,
  echo,
  MAX_ECHOED_CHARACTERS,
  type CheckFailure,
} from "../../../provider/shared/check";
import {
  clearDeclared,
  declaredItems,
  declaredSetting,
  declareItem,
  declareSetting,
} from "../../../provider/shared/declared";

describe("echo quotes short values whole and cuts long ones to a prefix with their length", () => {
  const long = "d".repeat(10_240);
  it.each([
    ["a short string", "acme-api", '"acme-api"'],
    ["a number", 42, "42"],
    ["an object", { a: 1 }, '{"a":1}'],
    ["exactly the limit", "x".repeat(MAX_ECHOED_CHARACTERS), JSON.stringify("x".repeat(MAX_ECHOED_CHARACTERS))],
    [
      "one over the limit",
      "x".repeat(MAX_ECHOED_CHARACTERS + 1),
      `${JSON.stringify("x".repeat(MAX_ECHOED_CHARACTERS))}... (${MAX_ECHOED_CHARACTERS + 1} characters)`,
    ],
    ["a 10 KB description", long, `${JSON.stringify("d".repeat(MAX_ECHOED_CHARACTERS))}... (10240 characters)`],
  ])("%s", (_what, value, expected) => {
    expect(echo(value)).toBe(expected);
  });
});

describe("asReported moves the field into the reason, so Pulumi prints no value and the field once", () => {
  it.each<[string, CheckFailure, CheckFailure]>([
    [
      "a reason that names its field",
      { property: "cidr", reason: "cidr must be an IPv4 CIDR block" },
      { property: "", reason: "cidr must be an IPv4 CIDR block" },
    ],
    [
      "a reason about another field",
      { property: "plan", reason: "encryptionKeyArn needs a private plan" },
      { property: "", reason: "plan: encryptionKeyArn needs a private plan" },
    ],
    [
      "a nested field",
      { property: "attachments[0].app", reason: "attachments[0].app: app names are ..." },
      { property: "", reason: "attachments[0].app: app names are ..." },
    ],
    ["no field", { property: "", reason: "something" }, { property: "", reason: "something" }],
  ])("%s", (_what, failure, expected) => {
    expect(asReported([failure])).toEqual([expected]);
  });
});

describe("absentProblem says what Heroku's 403 and 404 mean", () => {
  it.each([
    [404 as const, 'app: app "acme-nope" does not exist at Heroku (it answered 404); check the spelling'],
    [
      403 as const,
      'app: app "acme-nope" is not visible to the account of HEROKU_API_KEY (Heroku answered 403); use a token of its team or fix the name',
    ],
  ])("%s", (status, expected) => {
    expect(absentProblem("app", "app", "acme-nope", status)).toBe(expected);
  });
});

describe("declarations of this run", () => {
  beforeEach(() => clearDeclared());

  test("items are sets per database spelling: a repeated check counts once", () => {
    declareItem("ip-rule", ["db-id", "db-name"], "10.0.0.0/8");
    declareItem("ip-rule", ["db-id"], "10.0.0.0/8");
    declareItem("ip-rule", ["db-name"], "192.168.0.0/16");
    expect([...declaredItems("ip-rule", ["db-id"])].sort()).toEqual(["10.0.0.0/8"]);
    expect([...declaredItems("ip-rule", ["db-id", "db-name"])].sort()).toEqual(["10.0.0.0/8", "192.168.0.0/16"]);
    expect(declaredItems("credential", ["db-id"]).size).toBe(0);
  });

  test("settings are found under any spelling and skip missing ones", () => {
    declareSetting(["db-id", undefined], "enhanced-certificates", false);
    expect(declaredSetting(["db-name", "db-id"], "enhanced-certificates")).toBe(false);
    expect(declaredSetting(["db-name"], "enhanced-certificates")).toBeUndefined();
  });
});
