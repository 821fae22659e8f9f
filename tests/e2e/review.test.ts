// The review command on `pulumi preview --json` output of a deployed stack: each kind of change lands in its
// section, and no secret value the emulator handed out (passwords, connection URLs, private keys) appears.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runStack, type StackOptions } from "../support/pulumi";
import { repoRoot } from "../support/repo";
import { startServices, type Services } from "../support/services";
import { controlJson, mutatingRequests, startOver } from "./emulator-client";
import { stackOptions, testProgram } from "./fixture";

jest.setTimeout(30 * 60_000);

let s: Services;
let workDir: string;
let secrets: string[];

function stack(config: Record<string, string> = {}, extra: Partial<StackOptions> = {}): StackOptions {
  return stackOptions(testProgram("review", "hps-review"), { workDir, env: s.env }, "review", {
    config,
    resetConfig: true,
    ...extra,
  });
}

/** The review of a preview with this config, by section title ("Everything else" holds its one line). */
async function review(name: string, config: Record<string, string>): Promise<Record<string, string[]>> {
  const json = path.join(workDir, `${name}.json`);
  await controlJson(s, "DELETE", "/requests");
  const result = await runStack("preview", stack(config, { jsonOut: json }));
  expect(result.error).toBeUndefined();
  expect(await mutatingRequests(s)).toEqual([]);
  const markdown = execFileSync(process.execPath, [path.join(repoRoot(), "dist/review/cli.js"), "review", json], {
    encoding: "utf8",
  });
  for (const secret of secrets) expect(markdown).not.toContain(secret);
  const sections: Record<string, string[]> = {};
  let current = "";
  for (const line of markdown.split("\n")) {
    if (line.startsWith("### ")) current = line.slice(4);
    else if (line.startsWith("- ")) (sections[current] ??= []).push(line.slice(2));
    else if (line.startsWith("**Everything else:**")) sections["Everything else"] = [line];
  }
  return sections;
}

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "hps-e2e-review-"));
  s = await startServices();
  await startOver(s);
  const up = await runStack("up", stack());
  expect(up.error).toBeUndefined();
  const out = await runStack("outputs", stack({}, { showSecrets: true }));
  secrets = Object.values(out.outputs ?? {})
    .flatMap((v) => (Array.isArray(v) ? v : [v]))
    .filter((v): v is string => typeof v === "string" && v.length >= 8);
  // A URL, a password, two database URLs and two private keys.
  expect(secrets.length).toBeGreaterThanOrEqual(6);
});
afterAll(async () => {
  await s?.stop();
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

test("access opened, paused or removed, and restarts", async () => {
  const sections = await review("access", {
    extraCidr: "198.51.100.0/24",
    officeDescription: "office, 3rd floor",
    certificates: "runner,bi",
    analystPermissions: "read-write",
    analystApps: "acme-reports",
    rotation: "2026-06-01",
    newCredential: "true",
    enhancedCertificates: "true",
  });
  expect(sections["Access opened"]).toEqual(
    expect.arrayContaining([
      'IpRule "review-rule-extra" allows 198.51.100.0/24 ("partner") on database "review-db"',
      'Credential "review-auditor": new credential on database "review-db" (read-only, attached to acme-reports)',
      'Credential "review-analyst": permission raised from read-only to read-write',
      'MtlsConfig "review-mtls": certificates issued: bi',
    ]),
  );
  expect(sections["Access paused or removed"]).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^IpRule "review-rule-office": access from 203\.0\.113\.0\/24 pauses: the rule is deleted/),
      'MtlsConfig "review-mtls": certificates revoked: old (their holders are cut off at once)',
      'Credential "review-analyst" detached from acme-api; those apps restart',
    ]),
  );
  expect(sections.Restarts?.sort()).toEqual([
    'Credential "review-analyst": password rotates; attached apps restart',
    'SecureDatabase "review-web-db": Enhanced Certificates on; the connection URL changes and attached apps restart',
  ]);
  expect(sections["Data at risk"]).toBeUndefined();
});

test("data at risk: a database replaced or deleted, a key disabled or scheduled for deletion", async () => {
  const sections = await review("risk", {
    keyEnabled: "false",
    // A new major version replaces the database (a plan alone changes in place).
    plan: "heroku-postgresql:private-2",
    postgresVersion: "16",
    spareKey: "false",
    webDatabase: "false",
  });
  expect(sections["Data at risk"]).toEqual(
    expect.arrayContaining([
      'CustomerKey "review-key" is disabled: every database encrypted with it shuts down',
      'SecureDatabase "review-db" is replaced: a new, empty database (heroku-postgresql:private-2) instead of this one',
      'SecureDatabase "review-web-db" is deleted, with its data',
      'CustomerKey "review-spare-key" is scheduled for deletion in 30 days: databases encrypted with it stop for good',
    ]),
  );
  expect(sections["Data at risk"]).toHaveLength(4);
});
