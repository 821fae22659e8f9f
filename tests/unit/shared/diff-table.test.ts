import { diffFromTable, type DiffTable } from "../../../provider/shared/diff-table";
import { UNKNOWN } from "../../../provider/shared/unknown";
import { CUSTOMER_KEY_DIFF_TABLE } from "../../../provider/customer-key/diff-table";
import { mustDeleteBeforeReplace, SECURE_DATABASE_DIFF_TABLE } from "../../../provider/secure-database/diff-table";
import { diff as customerKeyDiff } from "../../../provider/customer-key/hooks";
import { buildKeyPolicy } from "../../../sdk/key-policy";

const table: DiffTable = { region: "replace", description: "update", keyId: "output" };

describe("diffFromTable", () => {
  it("reports no change when inputs are equal, whatever the key order of nested objects", () => {
    const d = diffFromTable(
      table,
      { region: "a", description: { x: 1, y: 2 } },
      { region: "a", description: { y: 2, x: 1 } },
    );
    expect(d).toEqual({ changes: false, replaces: [], updates: [], deleteBeforeReplace: false });
  });
  it("ignores output fields", () => {
    expect(diffFromTable(table, { keyId: "old" }, { keyId: "new" }).changes).toBe(false);
  });
  it("sorts changed fields into replaces and updates", () => {
    const d = diffFromTable(table, { region: "a", description: "x" }, { region: "b", description: "y" });
    expect(d).toMatchObject({ changes: true, replaces: ["region"], updates: ["description"] });
  });
  it("treats an unknown value as changed, also nested", () => {
    expect(diffFromTable(table, { region: "a" }, { region: UNKNOWN }).replaces).toEqual(["region"]);
    expect(diffFromTable(table, { description: ["x"] }, { description: ["x", UNKNOWN] }).updates).toEqual([
      "description",
    ]);
  });
  it("asks deleteBeforeReplace only when something is replaced", () => {
    const dbr = jest.fn(() => true);
    expect(
      diffFromTable(table, { description: "x" }, { description: "y" }, { deleteBeforeReplace: dbr })
        .deleteBeforeReplace,
    ).toBe(false);
    expect(dbr).not.toHaveBeenCalled();
    expect(
      diffFromTable(table, { region: "a" }, { region: "b" }, { deleteBeforeReplace: dbr }).deleteBeforeReplace,
    ).toBe(true);
  });
});

// Walks each table field by field: a change to that field alone gives exactly the declared effect.
describe.each([
  ["CustomerKey", CUSTOMER_KEY_DIFF_TABLE as DiffTable],
  ["SecureDatabase", SECURE_DATABASE_DIFF_TABLE as DiffTable],
])("%s diff table", (_name, t) => {
  const fields = Object.entries(t);
  it.each(fields)("%s is %s", (field, kind) => {
    const d = diffFromTable(t, { [field]: "old" }, { [field]: "new" });
    expect(d.changes).toBe(kind === "replace" || kind === "update");
    expect(d.replaces).toEqual(kind === "replace" ? [field] : []);
    expect(d.updates).toEqual(kind === "update" ? [field] : []);
  });
});

describe("table contents", () => {
  it("CustomerKey replaces only on region (adoptKeyId is read by create alone)", () => {
    expect(
      Object.entries(CUSTOMER_KEY_DIFF_TABLE)
        .filter(([, k]) => k === "replace")
        .map(([f]) => f),
    ).toEqual(["region"]);
  });
  it("SecureDatabase updates the plan, a promotion, Enhanced Certificates and timeouts in place, and re-reads availability", () => {
    expect(
      Object.entries(SECURE_DATABASE_DIFF_TABLE)
        .filter(([, k]) => k === "update")
        .map(([f]) => f),
    ).toEqual(["plan", "promote", "enhancedCertificates", "timeouts", "availability"]);
  });
  it("SecureDatabase sees no change while the database is available, and drift once it is not", () => {
    const up = { app: "a", plan: "p" };
    expect(diffFromTable(SECURE_DATABASE_DIFF_TABLE, up, up).changes).toBe(false);
    const down = { ...up, availability: "unavailable: ..." };
    expect(diffFromTable(SECURE_DATABASE_DIFF_TABLE, up, down).updates).toEqual(["availability"]);
    expect(diffFromTable(SECURE_DATABASE_DIFF_TABLE, down, up).updates).toEqual(["availability"]);
  });
  it("SecureDatabase deletes first when a fixed name or attachment would collide", () => {
    expect(mustDeleteBeforeReplace({ name: "db-a", app: "x" }, { name: "db-a", app: "y" })).toBe(true);
    expect(mustDeleteBeforeReplace({ attachmentName: "MAIN", app: "x" }, { attachmentName: "MAIN", app: "x" })).toBe(
      true,
    );
    expect(mustDeleteBeforeReplace({ attachmentName: "MAIN", app: "x" }, { attachmentName: "MAIN", app: "y" })).toBe(
      false,
    );
    expect(mustDeleteBeforeReplace({}, {})).toBe(false);
  });
});

describe("CustomerKey diff compares the key policy as a document", () => {
  const accountId = "123456789012";
  const arn = `arn:aws:kms:us-east-1:${accountId}:key/11111111-2222-3333-4444-555555555555`;
  const stored = (policy: unknown) => ({
    region: "us-east-1",
    enabled: true,
    keyId: "k",
    arn,
    accountId,
    keyState: "Enabled",
    policy: JSON.stringify(policy),
  });
  it("sees no change when KMS holds the wanted policy, however formatted", async () => {
    const d = await customerKeyDiff("k", stored(buildKeyPolicy({ accountId })), { region: "us-east-1", enabled: true });
    expect(d.changes).toBe(false);
  });
  it("sees an update when the policy was edited out of band", async () => {
    const edited = buildKeyPolicy({ accountId });
    edited.Statement.splice(1, 1);
    const d = await customerKeyDiff("k", stored(edited), { region: "us-east-1", enabled: true });
    expect(d).toMatchObject({ changes: true, replaces: [], updates: ["policy"] });
  });
  it("sees an update of policy and statements when extra statements change", async () => {
    const extra = [
      {
        Sid: "Audit",
        Effect: "Allow" as const,
        Action: "kms:DescribeKey",
        Resource: "*",
        Principal: { AWS: "arn:aws:iam::123456789012:role/audit" },
      },
    ];
    const d = await customerKeyDiff("k", stored(buildKeyPolicy({ accountId })), {
      region: "us-east-1",
      enabled: true,
      additionalPolicyStatements: extra,
    });
    expect(d.updates).toEqual(["additionalPolicyStatements", "policy"]);
  });
});
