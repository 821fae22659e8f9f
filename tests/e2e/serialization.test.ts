// What each resource stores in state as its provider, produced and loaded exactly as Pulumi does, from a project
// that installs the packed package: small, free of secrets and machine paths, and callable.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const repoRoot = path.resolve(__dirname, "..", "..");
const fixture = path.join(repoRoot, ".run", "pkg");
/** ARCHITECTURE.md: the stored provider text stays under 1 KB. */
const PROVIDER_TEXT_BUDGET_BYTES = 1024;
const FAKE_TOKEN = "hps-serialization-canary-token-7f3a9c";

interface Loaded {
  text: string;
  hooks: string[];
  checkFailures: unknown;
}

let results: Record<string, Loaded>;

beforeAll(() => {
  const staged = path.join(fixture, "programs", "serialization", "index.js");
  fs.mkdirSync(path.dirname(staged), { recursive: true });
  fs.copyFileSync(path.join(repoRoot, "dist", "tests", "e2e", "programs", "serialize-providers.js"), staged);
  const out = execFileSync(process.execPath, [staged], {
    cwd: fixture,
    env: { ...process.env, HEROKU_API_KEY: FAKE_TOKEN, AWS_SECRET_ACCESS_KEY: FAKE_TOKEN },
    encoding: "utf8",
  });
  const line = out.split("\n").find((l) => l.startsWith("RESULT:"));
  results = JSON.parse(line?.slice("RESULT:".length) ?? "{}") as Record<string, Loaded>;
});

const types = [
  "pulumi-nodejs:dynamic/heroku-pg-secure:CustomerKey",
  "pulumi-nodejs:dynamic/heroku-pg-secure:SecureDatabase",
  "pulumi-nodejs:dynamic/heroku-pg-secure:MtlsConfig",
  "pulumi-nodejs:dynamic/heroku-pg-secure:IpRule",
  "pulumi-nodejs:dynamic/heroku-pg-secure:IpAllowlist",
  "pulumi-nodejs:dynamic/heroku-pg-secure:Credential",
];

describe.each(types)("%s", (type) => {
  test("stores its provider as a require of the installed package, under the size budget", () => {
    const text = results[type]?.text ?? "";
    expect(text).toMatch(/require\("heroku-pg-secure\/dist\/provider\/[a-z-]+\/provider\.js"\)/);
    expect(Buffer.byteLength(text)).toBeLessThan(PROVIDER_TEXT_BUDGET_BYTES);
  });

  test("holds no secret and no machine path", () => {
    const text = results[type]?.text ?? "";
    expect(text).not.toContain(FAKE_TOKEN);
    for (const p of [repoRoot, os.homedir(), os.tmpdir()]) expect(text).not.toContain(p);
  });

  test("loads like the host loads it and its hooks are callable", () => {
    expect(results[type]?.hooks).toEqual(["check", "create", "delete", "diff", "read", "update"]);
    // check ran the installed package's validation, which refused the invalid input it was given by name.
    const failures = results[type]?.checkFailures as { property: string; reason: string }[];
    expect(failures.length).toBeGreaterThan(0);
    expect(failures[0]?.reason).toContain(failures[0]?.property ?? "?");
  });
});
