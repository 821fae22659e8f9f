// The layers of docs/ARCHITECTURE.md, checked in the imports: provider/ never depends on the user-facing sdk/,
// the emulator's store never on its HTTP layer, and no module imports itself through a cycle.
import * as fs from "node:fs";
import * as path from "node:path";

const root = path.resolve(__dirname, "..", "..", "..");

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(rel));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(rel);
  }
  return out;
}

/** Relative imports of a file, resolved to repository paths (type-only imports count: they are still coupling). */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(root, file), "utf8");
  const specs = [...text.matchAll(/(?:from|import|require\()\s*["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]!);
  return specs.map((spec) => {
    const base = path.normalize(path.join(path.dirname(file), spec));
    for (const candidate of [`${base}.ts`, path.join(base, "index.ts")]) {
      if (fs.existsSync(path.join(root, candidate))) return candidate;
    }
    return base;
  });
}

const files = [...sources("provider"), ...sources("sdk"), ...sources("emulator")];
const graph = new Map(files.map((f) => [f, importsOf(f)]));

test("provider/ imports nothing from sdk/", () => {
  const offending = files
    .filter((f) => f.startsWith("provider/"))
    .flatMap((f) =>
      graph
        .get(f)!
        .filter((i) => i.startsWith("sdk/"))
        .map((i) => `${f} -> ${i}`),
    );
  expect(offending).toEqual([]);
});

test("emulator/store/ imports nothing from emulator/http/", () => {
  const offending = files
    .filter((f) => f.startsWith("emulator/store/"))
    .flatMap((f) =>
      graph
        .get(f)!
        .filter((i) => i.startsWith("emulator/http/"))
        .map((i) => `${f} -> ${i}`),
    );
  expect(offending).toEqual([]);
});

test("no import cycle among provider/, sdk/ and emulator/", () => {
  const cycles: string[] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (f: string): void => {
    state.set(f, "open");
    stack.push(f);
    for (const next of graph.get(f) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === "open") cycles.push([...stack.slice(stack.indexOf(next)), next].join(" -> "));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(f, "done");
  };
  for (const f of files) if (!state.has(f)) visit(f);
  expect(cycles).toEqual([]);
});

test("no file under provider/, sdk/, emulator/ or scripts/, nor a README, cites a design document the repository does not have", () => {
  const cited = /heroku-api\.md|pulumi-toolchain\.md|\bseed \d{3}\b|\bseeds?\/|shared\/design/;
  const docs = ["README.md", "emulator/README.md", "bench/README.md", "docs/ARCHITECTURE.md"];
  const offending = [...files, ...sources("scripts"), ...docs]
    .filter((f) => {
      const text = fs.readFileSync(path.join(root, f), "utf8");
      return text.split("\n").some((line) => cited.test(line) && !line.includes("docs/heroku-api.md"));
    })
    .sort();
  expect(offending).toEqual([]);
});
