import {
  derivePermissionLevels,
  grantStatements,
  overallLevel,
  planPermissionStatements,
  quoteIdent,
  revokeStatements,
  type GrantFacts,
} from "../../../provider/credential/grants";

describe("quoteIdent", () => {
  it.each([
    ["public", '"public"'],
    ["limited_user", '"limited_user"'],
    ["Mixed Case", '"Mixed Case"'],
    ['we"ird', '"we""ird"'],
    ['"', '""""'],
    ["robert'); DROP TABLE students;--", '"robert\'); DROP TABLE students;--"'],
    ["ünïcødé", '"ünïcødé"'],
  ])("%s -> %s", (name, quoted) => {
    expect(quoteIdent(name)).toBe(quoted);
  });

  it.each([
    ["", "an SQL identifier must not be empty"],
    ["a\0b", "an SQL identifier must not contain NUL"],
  ])("rejects %j", (name, message) => {
    expect(() => quoteIdent(name)).toThrow(message);
  });
});

const REVOKE_PUBLIC = [
  'REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA "public" FROM "analyst"',
  'REVOKE ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA "public" FROM "analyst"',
  'ALTER DEFAULT PRIVILEGES FOR ROLE "u1abc" IN SCHEMA "public" REVOKE ALL PRIVILEGES ON TABLES FROM "analyst"',
  'ALTER DEFAULT PRIVILEGES FOR ROLE "u1abc" IN SCHEMA "public" REVOKE ALL PRIVILEGES ON SEQUENCES FROM "analyst"',
  'REVOKE ALL PRIVILEGES ON SCHEMA "public" FROM "analyst"',
];

describe("permission statements (seed 002)", () => {
  it("revokes everything the levels grant, keeping CONNECT", () => {
    expect(revokeStatements("analyst", "u1abc", "public")).toEqual(REVOKE_PUBLIC);
  });

  it.each<[string, "none" | "read-only" | "read-write", string[]]>([
    ["none grants nothing", "none", []],
    [
      "read-only: USAGE, SELECT, and SELECT on future tables",
      "read-only",
      [
        'GRANT USAGE ON SCHEMA "public" TO "analyst"',
        'GRANT SELECT ON ALL TABLES IN SCHEMA "public" TO "analyst"',
        'ALTER DEFAULT PRIVILEGES FOR ROLE "u1abc" IN SCHEMA "public" GRANT SELECT ON TABLES TO "analyst"',
      ],
    ],
    [
      "read-write: also writes and sequences, now and in future",
      "read-write",
      [
        'GRANT USAGE ON SCHEMA "public" TO "analyst"',
        'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "public" TO "analyst"',
        'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "public" TO "analyst"',
        'ALTER DEFAULT PRIVILEGES FOR ROLE "u1abc" IN SCHEMA "public" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "analyst"',
        'ALTER DEFAULT PRIVILEGES FOR ROLE "u1abc" IN SCHEMA "public" GRANT USAGE, SELECT ON SEQUENCES TO "analyst"',
      ],
    ],
  ])("%s", (_name, level, statements) => {
    expect(grantStatements("analyst", "u1abc", "public", level)).toEqual(statements);
  });

  it("revokes before granting on every schema, and only revokes on schemas no longer listed", () => {
    const statements = planPermissionStatements({
      role: "analyst",
      owner: "u1abc",
      level: "read-only",
      schemas: ["public", 'My "Schema"'],
      previousSchemas: ["public", "old"],
    });
    const forSchema = (text: string, s: string): string => text.split('"public"').join(s);
    expect(statements).toEqual([
      ...REVOKE_PUBLIC.map((t) => forSchema(t, '"old"')),
      ...REVOKE_PUBLIC,
      'GRANT USAGE ON SCHEMA "public" TO "analyst"',
      'GRANT SELECT ON ALL TABLES IN SCHEMA "public" TO "analyst"',
      'ALTER DEFAULT PRIVILEGES FOR ROLE "u1abc" IN SCHEMA "public" GRANT SELECT ON TABLES TO "analyst"',
      ...REVOKE_PUBLIC.map((t) => forSchema(t, '"My ""Schema"""')),
      'GRANT USAGE ON SCHEMA "My ""Schema""" TO "analyst"',
      'GRANT SELECT ON ALL TABLES IN SCHEMA "My ""Schema""" TO "analyst"',
      'ALTER DEFAULT PRIVILEGES FOR ROLE "u1abc" IN SCHEMA "My ""Schema""" GRANT SELECT ON TABLES TO "analyst"',
    ]);
  });

  it("none on one schema is the revokes alone", () => {
    expect(planPermissionStatements({ role: "analyst", owner: "u1abc", level: "none", schemas: ["public"] })).toEqual(
      REVOKE_PUBLIC,
    );
  });
});

function facts(overrides: Partial<GrantFacts> = {}): GrantFacts {
  return {
    schemaPrivileges: [],
    tables: [
      { schema: "public", name: "users" },
      { schema: "public", name: "orders" },
    ],
    tablePrivileges: [],
    sequences: [{ schema: "public", name: "orders_id_seq" }],
    sequencePrivileges: [],
    defaultPrivileges: [],
    ...overrides,
  };
}
const tableGrants = (privileges: string[], names = ["users", "orders"]): GrantFacts["tablePrivileges"] =>
  names.flatMap((name) => privileges.map((privilege) => ({ schema: "public", name, privilege })));
const readOnly = {
  schemaPrivileges: [{ schema: "public", privilege: "USAGE" }],
  tablePrivileges: tableGrants(["SELECT"]),
  defaultPrivileges: [{ schema: "public", objectType: "tables" as const, privilege: "SELECT" }],
};
const readWrite = {
  schemaPrivileges: [{ schema: "public", privilege: "USAGE" }],
  tablePrivileges: tableGrants(["SELECT", "INSERT", "UPDATE", "DELETE"]),
  sequencePrivileges: ["USAGE", "SELECT"].map((privilege) => ({ schema: "public", name: "orders_id_seq", privilege })),
  defaultPrivileges: [
    ...["SELECT", "INSERT", "UPDATE", "DELETE"].map((privilege) => ({
      schema: "public",
      objectType: "tables" as const,
      privilege,
    })),
    ...["USAGE", "SELECT"].map((privilege) => ({ schema: "public", objectType: "sequences" as const, privilege })),
  ],
};

describe("derivePermissionLevels", () => {
  it.each<[string, Partial<GrantFacts>, string]>([
    ["no grants at all", {}, "none"],
    ["read-only as planned", readOnly, "read-only"],
    ["read-write as planned", readWrite, "read-write"],
    ["privilege names in lower case", { ...readOnly, tablePrivileges: tableGrants(["select"]) }, "read-only"],
    [
      "an out-of-band INSERT on one table",
      { ...readOnly, tablePrivileges: [...tableGrants(["SELECT"]), ...tableGrants(["INSERT"], ["users"])] },
      "custom",
    ],
    [
      "a table without the grant (created by another role)",
      { ...readOnly, tablePrivileges: tableGrants(["SELECT"], ["users"]) },
      "custom",
    ],
    ["read-only without default privileges", { ...readOnly, defaultPrivileges: [] }, "custom"],
    ["read-only without schema USAGE", { ...readOnly, schemaPrivileges: [] }, "custom"],
    [
      "CREATE on the schema",
      { ...readOnly, schemaPrivileges: [...readOnly.schemaPrivileges, { schema: "public", privilege: "CREATE" }] },
      "custom",
    ],
    ["read-write missing sequence use", { ...readWrite, sequencePrivileges: [] }, "custom"],
    [
      "TRUNCATE on top of read-write",
      { ...readWrite, tablePrivileges: [...readWrite.tablePrivileges, ...tableGrants(["TRUNCATE"], ["orders"])] },
      "custom",
    ],
    ["none but USAGE granted directly", { schemaPrivileges: [{ schema: "public", privilege: "USAGE" }] }, "custom"],
    ["an empty schema at read-only", { ...readOnly, tables: [], tablePrivileges: [], sequences: [] }, "read-only"],
  ])("%s -> %s", (_name, overrides, level) => {
    expect(derivePermissionLevels(facts(overrides), ["public"])).toEqual({ public: level });
  });

  it("judges each schema on its own rows, and a listed schema with no rows is none", () => {
    const levels = derivePermissionLevels(facts(readOnly), ["public", "reporting"]);
    expect(levels).toEqual({ public: "read-only", reporting: "none" });
    expect(overallLevel(levels)).toBe("custom");
    expect(overallLevel({ public: "read-only", reporting: "read-only" })).toBe("read-only");
    expect(overallLevel({})).toBe("custom");
  });
});
