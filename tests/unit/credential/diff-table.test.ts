import {
  CREDENTIAL_DIFF_TABLE,
  CREDENTIAL_SECRET_OUTPUTS,
  diffCredential,
  planAttachmentChanges,
} from "../../../provider/credential/diff-table";
import { UNKNOWN } from "../../../provider/shared/unknown";

const inputs = {
  database: "postgresql-sunny-1234",
  name: "analyst",
  permissions: "read-only",
  schemas: ["public", "reporting"],
  attachments: [{ app: "acme-reports", name: "ANALYTICS_DB" }, { app: "acme-api" }],
  rotationTrigger: "2025-Q1",
};
const stored = {
  ...inputs,
  state: "active",
  username: "analyst",
  password: "p".repeat(65),
  url: "postgres://analyst:pp@127.0.0.1:5432/d1",
  attachmentConfigVars: [{ app: "acme-reports", name: "ANALYTICS_DB", id: "a1", configVar: "ANALYTICS_DB_URL" }],
};

describe("CREDENTIAL_DIFF_TABLE", () => {
  it("replaces on database and name; everything else the user sets updates in place", () => {
    const byKind = (kind: string): string[] =>
      Object.entries(CREDENTIAL_DIFF_TABLE)
        .filter(([, k]) => k === kind)
        .map(([field]) => field);
    expect(byKind("replace")).toEqual(["database", "name"]);
    expect(byKind("update")).toEqual([
      "permissions",
      "schemas",
      "attachments",
      "rotationTrigger",
      "forceRotation",
      "timeouts",
    ]);
    expect(byKind("output")).toEqual([
      "state",
      "username",
      "password",
      "url",
      "attachmentConfigVars",
      "effectivePermissions",
    ]);
    expect(CREDENTIAL_SECRET_OUTPUTS.every((field) => CREDENTIAL_DIFF_TABLE[field] === "output")).toBe(true);
    expect(CREDENTIAL_SECRET_OUTPUTS).toEqual(["password", "url"]);
  });
});

describe("diffCredential", () => {
  const update = (...updates: string[]): unknown => ({
    changes: true,
    replaces: [],
    updates,
    deleteBeforeReplace: false,
  });

  it.each<[string, Record<string, unknown>, unknown]>([
    ["same inputs", inputs, { changes: false, replaces: [], updates: [], deleteBeforeReplace: false }],
    [
      "schemas and attachments reordered",
      { ...inputs, schemas: ["reporting", "public"], attachments: [...inputs.attachments].reverse() },
      { changes: false, replaces: [], updates: [], deleteBeforeReplace: false },
    ],
    ["new level", { ...inputs, permissions: "read-write" }, update("permissions")],
    ["a schema more", { ...inputs, schemas: ["public", "reporting", "sales"] }, update("schemas")],
    ["an attachment fewer", { ...inputs, attachments: [{ app: "acme-api" }] }, update("attachments")],
    ["rotation trigger bumped", { ...inputs, rotationTrigger: "2025-Q2" }, update("rotationTrigger")],
    ["unknown schema (preview)", { ...inputs, schemas: ["public", UNKNOWN] }, update("schemas")],
    [
      "renamed",
      { ...inputs, name: "analyst2" },
      { changes: true, replaces: ["name"], updates: [], deleteBeforeReplace: false },
    ],
    [
      "another database and level",
      { ...inputs, database: "postgresql-other-1", permissions: "none" },
      { changes: true, replaces: ["database"], updates: ["permissions"], deleteBeforeReplace: false },
    ],
  ])("%s", (_name, news, expected) => {
    expect(diffCredential(stored, news)).toEqual(expected);
  });
});

describe("planAttachmentChanges", () => {
  const stored2 = [
    { app: "acme-reports", name: "ANALYTICS_DB" },
    { app: "acme-api", name: "HEROKU_POSTGRESQL_RED" },
    { app: "acme-eu", name: "DATABASE" },
  ];

  it("keeps matching named and unnamed attachments, attaches new ones, detaches the rest", () => {
    expect(
      planAttachmentChanges(stored2, [
        { app: "acme-reports", name: "ANALYTICS_DB" },
        { app: "acme-api" },
        { app: "acme-vault", name: "VAULT_DB" },
      ]),
    ).toEqual({
      toAttach: [{ app: "acme-vault", name: "VAULT_DB" }],
      toDetach: [{ app: "acme-eu", name: "DATABASE" }],
    });
  });

  it("a renamed attachment is detached and attached again", () => {
    expect(planAttachmentChanges(stored2.slice(0, 1), [{ app: "acme-reports", name: "REPORTS_DB" }])).toEqual({
      toAttach: [{ app: "acme-reports", name: "REPORTS_DB" }],
      toDetach: [{ app: "acme-reports", name: "ANALYTICS_DB" }],
    });
  });

  it("an unnamed attachment does not steal one a named attachment claims", () => {
    expect(
      planAttachmentChanges([{ app: "acme-api", name: "DB" }], [{ app: "acme-api" }, { app: "acme-api", name: "DB" }]),
    ).toEqual({ toAttach: [{ app: "acme-api" }], toDetach: [] });
  });

  it("everything goes when the list empties", () => {
    expect(planAttachmentChanges(stored2, [])).toEqual({ toAttach: [], toDetach: stored2 });
  });
});
