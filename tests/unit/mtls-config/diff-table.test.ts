import {
  MTLS_CONFIG_DIFF_TABLE,
  diffMtlsConfig,
  planCertificateChanges,
} from "../../../provider/mtls-config/diff-table";
import { UNKNOWN } from "../../../provider/shared/unknown";

const stored = {
  database: "postgresql-rectangle-12345",
  certificateNames: ["bi-tool", "ci-runner"],
  status: "Operational",
  enabledBy: "platform@acme.example",
  certificateAuthorityChain: "-----BEGIN CERTIFICATE-----\n...",
  certificates: { "bi-tool": { id: "1" }, "ci-runner": { id: "2" } },
};

describe("MTLS_CONFIG_DIFF_TABLE", () => {
  it("replaces on database only; certificate names update in place", () => {
    const byKind = (kind: string): string[] =>
      Object.entries(MTLS_CONFIG_DIFF_TABLE)
        .filter(([, k]) => k === kind)
        .map(([field]) => field);
    expect(byKind("replace")).toEqual(["database"]);
    expect(byKind("update")).toEqual(["certificateNames", "timeouts"]);
    expect(byKind("output")).toEqual(["status", "enabledBy", "certificateAuthorityChain", "certificates"]);
  });
});

describe("diffMtlsConfig", () => {
  const none = { changes: false, replaces: [], updates: [], deleteBeforeReplace: false };

  it.each<[string, Record<string, unknown>, unknown]>([
    ["same names", { database: stored.database, certificateNames: ["bi-tool", "ci-runner"] }, none],
    ["reordered names", { database: stored.database, certificateNames: ["ci-runner", "bi-tool"] }, none],
    [
      "added name",
      { database: stored.database, certificateNames: ["bi-tool", "ci-runner", "etl"] },
      { changes: true, replaces: [], updates: ["certificateNames"], deleteBeforeReplace: false },
    ],
    [
      "removed name",
      { database: stored.database, certificateNames: ["bi-tool"] },
      { changes: true, replaces: [], updates: ["certificateNames"], deleteBeforeReplace: false },
    ],
    [
      "unknown name (preview)",
      { database: stored.database, certificateNames: ["bi-tool", UNKNOWN] },
      { changes: true, replaces: [], updates: ["certificateNames"], deleteBeforeReplace: false },
    ],
    [
      "another database",
      { database: "postgresql-other-2", certificateNames: ["bi-tool", "ci-runner"] },
      { changes: true, replaces: ["database"], updates: [], deleteBeforeReplace: false },
    ],
  ])("%s", (_name, news, expected) => {
    expect(diffMtlsConfig(stored, news)).toEqual(expected);
  });
});

describe("planCertificateChanges", () => {
  it.each<[string[], string[], { toCreate: string[]; toRevoke: string[] }]>([
    [["a", "b"], ["a", "b"], { toCreate: [], toRevoke: [] }],
    [["a", "b"], ["b", "a"], { toCreate: [], toRevoke: [] }],
    [["a"], ["a", "c", "b"], { toCreate: ["c", "b"], toRevoke: [] }],
    [["a", "b", "c"], ["b"], { toCreate: [], toRevoke: ["a", "c"] }],
    [["a", "b"], ["b", "x", "x"], { toCreate: ["x"], toRevoke: ["a"] }],
    [[], ["a"], { toCreate: ["a"], toRevoke: [] }],
  ])("%j -> %j", (olds, news, expected) => {
    expect(planCertificateChanges(olds, news)).toEqual(expected);
  });
});
