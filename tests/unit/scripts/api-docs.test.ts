import * as fs from "node:fs";
import * as path from "node:path";
import { CREDENTIAL_DIFF_TABLE } from "../../../provider/credential/diff-table";
import { CUSTOMER_KEY_DIFF_TABLE } from "../../../provider/customer-key/diff-table";
import { IP_ALLOWLIST_DIFF_TABLE } from "../../../provider/ip-allowlist/diff-table";
import { IP_RULE_DIFF_TABLE } from "../../../provider/ip-rule/diff-table";
import { MTLS_CONFIG_DIFF_TABLE } from "../../../provider/mtls-config/diff-table";
import { SECURE_DATABASE_DIFF_TABLE } from "../../../provider/secure-database/diff-table";
import type { DiffTable } from "../../../provider/shared/diff-table";
import { collectSections, renderApiDocs, sdkFiles, type DocSection } from "../../../scripts/api-docs";

const root = path.resolve(__dirname, "..", "..", "..");
const sections = collectSections(sdkFiles(root));

/** Each resource's declared diff table, so its docs cannot say "replaces" where the provider updates. */
const diffTables: Record<string, DiffTable> = {
  CustomerKey: CUSTOMER_KEY_DIFF_TABLE,
  SecureDatabase: SECURE_DATABASE_DIFF_TABLE,
  MtlsConfig: MTLS_CONFIG_DIFF_TABLE,
  IpRule: IP_RULE_DIFF_TABLE,
  IpAllowlist: IP_ALLOWLIST_DIFF_TABLE,
  Credential: CREDENTIAL_DIFF_TABLE,
};

function sectionNamed(name: string): DocSection {
  const s = sections.find((x) => x.name === name);
  if (!s) throw new Error(`no docs section ${name}`);
  return s;
}

test("docs/API.md is generated from the current doc comments", () => {
  const committed = fs.readFileSync(path.join(root, "docs", "API.md"), "utf8");
  expect(committed).toBe(renderApiDocs(sections));
});

test("every input and output has a summary", () => {
  const missing = sections.flatMap((s) =>
    [...s.inputs, ...s.outputs].filter((e) => e.summary === "").map((e) => `${s.name}.${e.name}`),
  );
  expect(missing).toEqual([]);
});

describe.each(Object.entries(diffTables))("%s", (name, table) => {
  const inputs = sectionNamed(name).inputs;

  test.each(inputs.map((e) => [e.name, e] as const))(
    "%s says it replaces exactly when the diff table does",
    (field, e) => {
      expect(table[field]).toBeDefined();
      expect(e.replaces).toBe(table[field] === "replace");
    },
  );

  test("documents every compared field of its diff table, as an input or an output", () => {
    const documented = new Set([...inputs, ...sectionNamed(name).outputs].map((e) => e.name));
    const undocumented = Object.entries(table)
      .filter(([field, kind]) => kind !== "output" && kind !== "stored" && !documented.has(field))
      .map(([field]) => field);
    expect(undocumented).toEqual([]);
  });
});
