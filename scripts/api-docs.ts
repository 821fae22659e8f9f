// Generates docs/API.md from the doc comments of sdk/: every exported `...Args` interface (inputs) and the
// `declare readonly` outputs of every exported class. `--check` fails when the committed file is stale, so the
// reference cannot drift from the code (tests/unit/scripts/api-docs.test.ts runs the same comparison).
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

export interface DocEntry {
  name: string;
  type: string;
  optional: boolean;
  summary: string;
  defaultValue?: string;
  see: string[];
  replaces: boolean;
}

export interface DocSection {
  /** The class (resource or component) or the args interface's base name. */
  name: string;
  summary: string;
  inputs: DocEntry[];
  outputs: DocEntry[];
}

/** The sentence the docs use, and tests check against each resource's diff table. */
export const REPLACES_SENTENCE = "Changing this replaces the resource.";

function jsDoc(node: ts.Node, source: ts.SourceFile): { summary: string; tags: Map<string, string[]> } {
  const tags = new Map<string, string[]>();
  const docs = (node as { jsDoc?: ts.JSDoc[] }).jsDoc ?? [];
  const parts: string[] = [];
  for (const doc of docs) {
    const comment = ts.getTextOfJSDocComment(doc.comment);
    if (comment) parts.push(comment);
    for (const tag of doc.tags ?? []) {
      const name = tag.tagName.getText(source);
      // @see parses a URL's scheme as an entity name, so read the tag's own text instead.
      const raw = name === "see" ? tag.getText(source).replace(/^@see/, "") : ts.getTextOfJSDocComment(tag.comment);
      const text = (raw ?? "")
        .replace(/\n\s*\*/g, " ")
        .replace(/\s+/g, " ")
        .trim();
      tags.set(name, [...(tags.get(name) ?? []), text]);
    }
  }
  return { summary: parts.join(" ").replace(/\s+/g, " ").trim(), tags };
}

function entry(member: ts.PropertySignature | ts.PropertyDeclaration, source: ts.SourceFile): DocEntry {
  const { summary, tags } = jsDoc(member, source);
  return {
    name: member.name.getText(source),
    type: (member.type?.getText(source) ?? "unknown").replace(/\s+/g, " "),
    optional: member.questionToken !== undefined,
    summary,
    defaultValue: tags.get("default")?.[0],
    see: tags.get("see") ?? [],
    replaces: summary.includes(REPLACES_SENTENCE),
  };
}

/** Reads the sections from the given sdk source files, in file order. */
export function collectSections(files: string[]): DocSection[] {
  const sections = new Map<string, DocSection>();
  const section = (name: string): DocSection => {
    const existing = sections.get(name);
    if (existing) return existing;
    const created: DocSection = { name, summary: "", inputs: [], outputs: [] };
    sections.set(name, created);
    return created;
  };
  for (const file of files) {
    const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
    for (const statement of source.statements) {
      if (!(ts.isInterfaceDeclaration(statement) || ts.isClassDeclaration(statement))) continue;
      if (!(ts.getCombinedModifierFlags(statement) & ts.ModifierFlags.Export)) continue;
      if (ts.isInterfaceDeclaration(statement) && statement.name.text.endsWith("Args")) {
        const s = section(statement.name.text.slice(0, -"Args".length));
        s.inputs = statement.members.filter(ts.isPropertySignature).map((m) => entry(m, source));
      } else if (ts.isClassDeclaration(statement) && statement.name) {
        const s = section(statement.name.text);
        s.summary = jsDoc(statement, source).summary;
        s.outputs = statement.members
          .filter(ts.isPropertyDeclaration)
          .filter((m) => m.modifiers?.some((mod) => mod.kind === ts.SyntaxKind.DeclareKeyword))
          .map((m) => entry(m, source));
      }
    }
  }
  return [...sections.values()].filter((s) => s.inputs.length > 0 || s.outputs.length > 0);
}

const cell = (text: string): string => text.replace(/\|/g, "\\|");

export function renderApiDocs(sections: DocSection[]): string {
  const lines = [
    "# API reference",
    "",
    "Generated from the doc comments in `sdk/` by `node dist/scripts/api-docs.js --write`; do not edit by hand.",
    "",
  ];
  for (const s of sections) {
    lines.push(`## ${s.name}`, "");
    if (s.summary) lines.push(s.summary, "");
    if (s.inputs.length > 0) {
      lines.push("### Inputs", "", "| input | type | default | replaces | description |", "|---|---|---|---|---|");
      for (const e of s.inputs) {
        const see = e.see.map((link) => ` See ${link}.`).join("");
        const name = e.optional ? e.name : `${e.name} (required)`;
        const description = e.summary.replace(REPLACES_SENTENCE, "").trim() + see;
        lines.push(
          `| \`${name}\` | \`${cell(e.type)}\` | ${cell(e.defaultValue ?? "")} | ${e.replaces ? "yes" : ""} | ${cell(description)} |`,
        );
      }
      lines.push("");
    }
    if (s.outputs.length > 0) {
      lines.push("### Outputs", "", "| output | type | description |", "|---|---|---|");
      for (const e of s.outputs) lines.push(`| \`${e.name}\` | \`${cell(e.type)}\` | ${cell(e.summary)} |`);
      lines.push("");
    }
  }
  return lines.join("\n");
}

/** What users import from the package: sdk/, and the key policy builder it re-exports from the provider. */
export function sdkFiles(root: string): string[] {
  const dir = path.join(root, "sdk");
  const reexported: Record<string, string> = {
    "key-policy.ts": path.join(root, "provider", "customer-key", "key-policy.ts"),
  };
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ts") && f !== "index.ts")
    .sort()
    .map((f) => reexported[f] ?? path.join(dir, f));
}

if (require.main === module) {
  const root = path.resolve(__dirname, "..", "..");
  const target = path.join(root, "docs", "API.md");
  const text = renderApiDocs(collectSections(sdkFiles(root)));
  if (process.argv.includes("--write")) {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, text);
  } else if (!fs.existsSync(target) || fs.readFileSync(target, "utf8") !== text) {
    process.stderr.write("docs/API.md is stale: run `npm run docs` and commit it\n");
    process.exitCode = 1;
  }
}
