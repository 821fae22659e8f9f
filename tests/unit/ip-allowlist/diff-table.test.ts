import {
  diffIpAllowlist,
  entryDiffKeys,
  IP_ALLOWLIST_DIFF_TABLE,
  planEntryChanges,
} from "../../../provider/ip-allowlist/diff-table";
import { UNKNOWN } from "../../../provider/shared/unknown";

const DB = "postgresql-rectangle-12345";
const ADDON_ID = "6b0a4f3e-1d2c-4e5f-8a9b-0c1d2e3f4a5b";
const rule = (id: string) => ({
  ruleId: id,
  status: "Authorized",
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
});
const entries = {
  "203.0.113.0/24": { description: "office" },
  "198.51.100.7/32": { description: "vpn" },
  "192.0.2.0/24": { description: "partner" },
};
const stored = {
  database: DB,
  databaseAddonId: ADDON_ID,
  databaseAddonName: DB,
  entries,
  rules: { "203.0.113.0/24": rule("r1"), "198.51.100.7/32": rule("r2"), "192.0.2.0/24": rule("r3") },
};
const inputs = { database: DB, databaseAddonId: ADDON_ID, databaseAddonName: DB, entries };

describe("IP_ALLOWLIST_DIFF_TABLE", () => {
  it("replaces only on the database; the blocks update in place", () => {
    const byKind = (kind: string): string[] =>
      Object.entries(IP_ALLOWLIST_DIFF_TABLE)
        .filter(([, k]) => k === kind)
        .map(([field]) => field);
    expect(byKind("replace")).toEqual(["database"]);
    expect(byKind("update")).toEqual(["entries", "timeouts"]);
    expect(byKind("output")).toEqual(["rules", "mtlsStatus"]);
  });
});

describe("planEntryChanges", () => {
  it.each([
    ["nothing", entries, { added: [], removed: [], redescribed: [], acknowledged: [] }],
    [
      "a block added and one removed",
      {
        "203.0.113.0/24": entries["203.0.113.0/24"],
        "198.51.100.7/32": entries["198.51.100.7/32"],
        "10.0.0.0/16": { description: "vpc" },
      },
      { added: ["10.0.0.0/16"], removed: ["192.0.2.0/24"], redescribed: [], acknowledged: [] },
    ],
    [
      "a description changed (the block pauses)",
      { ...entries, "198.51.100.7/32": { description: "vpn gateway" } },
      { added: [], removed: [], redescribed: ["198.51.100.7/32"], acknowledged: [] },
    ],
    [
      "acknowledgeWideCidr set (nothing at Heroku)",
      { ...entries, "192.0.2.0/24": { description: "partner", acknowledgeWideCidr: true } },
      { added: [], removed: [], redescribed: [], acknowledged: ["192.0.2.0/24"] },
    ],
  ])("%s", (_label, news, expected) => {
    expect(planEntryChanges(entries, news)).toEqual(expected);
  });
});

describe("diffIpAllowlist", () => {
  it("no change when the inputs match the stored state", () => {
    expect(diffIpAllowlist(stored, inputs)).toEqual({
      changes: false,
      replaces: [],
      updates: [],
      deleteBeforeReplace: false,
    });
  });

  it("no change when the database is respelled by its id", () => {
    expect(diffIpAllowlist(stored, { ...inputs, database: ADDON_ID }).changes).toBe(false);
  });

  it("names each block added, removed or made again, by its CIDR, as an update (never a replacement)", () => {
    const news = {
      ...inputs,
      entries: {
        "203.0.113.0/24": { description: "office" },
        "198.51.100.7/32": { description: "vpn gateway" },
        "10.0.0.0/16": { description: "vpc" },
      },
    };
    expect(diffIpAllowlist(stored, news)).toEqual({
      changes: true,
      replaces: [],
      updates: ['entries["10.0.0.0/16"]', 'entries["192.0.2.0/24"]', 'entries["198.51.100.7/32"].description'],
      deleteBeforeReplace: false,
    });
  });

  it("an unknown list (preview) is an update of entries as a whole", () => {
    expect(diffIpAllowlist(stored, { ...inputs, entries: UNKNOWN })).toEqual({
      changes: true,
      replaces: [],
      updates: ["entries"],
      deleteBeforeReplace: false,
    });
  });

  it("another database replaces, creating the new allowlist first; an unknown one deletes first", () => {
    const other = {
      ...inputs,
      database: "postgresql-other-1",
      databaseAddonId: "x",
      databaseAddonName: "postgresql-other-1",
    };
    expect(diffIpAllowlist(stored, other)).toMatchObject({ replaces: ["database"], deleteBeforeReplace: false });
    expect(diffIpAllowlist(stored, { ...inputs, database: UNKNOWN })).toMatchObject({
      replaces: ["database"],
      deleteBeforeReplace: true,
    });
  });

  it("entryDiffKeys spells the keys the preview names", () => {
    expect(entryDiffKeys({ added: ["a/32"], removed: ["b/32"], redescribed: ["c/32"], acknowledged: ["d/8"] })).toEqual(
      ['entries["a/32"]', 'entries["b/32"]', 'entries["c/32"].description', 'entries["d/8"].acknowledgeWideCidr'],
    );
  });
});
