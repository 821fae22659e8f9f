// IpAllowlist through the real CLI, on a SecurePostgres (tests/e2e/programs/allowlist.ts): the upgrade of a stack
// made with one IpRule per block (the 0.x SecurePostgres) to one allowlist, which must pause no block's access
// (the emulator's request log shows no rule deleted or posted, the rule ids stay); then a block added, one removed
// and one whose description changed, each named by its CIDR in `pulumi preview --diff`, and `up` doing exactly
// that at Heroku; then destroy.
import * as path from "node:path";
import { runStack, type StackOptions } from "../support/pulumi";
import { e2eFixture } from "./fixture";
import { controlJson, herokuJson, mutatingRequests, requestLog } from "./emulator-client";

jest.setTimeout(20 * 60_000);
const fixture = e2eFixture("ip-allowlist");

interface Block {
  cidr: string;
  description: string;
}
interface WireRule {
  id: string;
  cidr: string;
  description: string;
  status: string;
}

const LOOPBACK = { cidr: "127.0.0.1/32", description: "this machine" };
const OFFICE = { cidr: "198.51.100.0/24", description: "office" };
const PARTNER = { cidr: "203.0.113.0/24", description: "partner" };
const VPC = { cidr: "192.0.2.0/24", description: "vpc" };

function options(mode: "legacy" | "current", blocks: Block[], extra: Partial<StackOptions> = {}): StackOptions {
  return {
    program: "dist/tests/e2e/programs/allowlist.js",
    project: "hps-allowlist",
    stack: "e2e",
    stateDir: path.join(fixture.workDir, "state"),
    env: fixture.s.env,
    config: { mode, blocks: JSON.stringify(blocks) },
    ...extra,
  };
}

let addonName = "";
const rulesAtHeroku = async (): Promise<WireRule[]> =>
  herokuJson<WireRule[]>(fixture.s, "GET", `/postgres/v0/databases/${addonName}/tls-endpoint/ip-rules`);
const summary = (rules: WireRule[]): string[] =>
  rules.map((r) => `${r.cidr} ${r.description.replace(/ \[pulumi [0-9a-f]+\]$/, "")} ${r.status}`).sort();

test("a stack made with one IpRule per block upgrades to one IpAllowlist without pausing any block", async () => {
  const blocks = [LOOPBACK, OFFICE, PARTNER];
  const legacy = await runStack("up", options("legacy", blocks));
  expect(legacy.error).toBeUndefined();
  const pgAddons = (
    await herokuJson<{ name: string; addon_service: { name: string } }[]>(fixture.s, "GET", "/apps/acme-api/addons")
  ).filter((a) => a.addon_service.name === "heroku-postgresql");
  expect(pgAddons).toHaveLength(1);
  addonName = pgAddons[0]!.name;
  const before = await rulesAtHeroku();
  expect(summary(before)).toEqual([
    "127.0.0.1/32 this machine Authorized",
    "198.51.100.0/24 office Authorized",
    "203.0.113.0/24 partner Authorized",
  ]);

  // The preview promises one allowlist created and the three IpRules removed, nothing else.
  await controlJson(fixture.s, "DELETE", "/requests");
  const preview = await runStack("preview", options("current", blocks));
  expect(preview.error).toBeUndefined();
  expect(preview.changeSummary).toMatchObject({ create: 1, delete: 3 });
  expect(preview.changeSummary?.update ?? 0).toBe(0);
  expect(preview.changeSummary?.replace ?? 0).toBe(0);
  expect(await mutatingRequests(fixture.s)).toEqual([]);

  const up = await runStack("up", options("current", blocks));
  expect(up.error).toBeUndefined();
  expect(up.summary).toMatchObject({ create: 1, delete: 3 });
  // Access never paused: no rule was deleted or posted, and the same rules (same ids) allow the same blocks.
  const calls = await requestLog(fixture.s);
  expect(calls.filter((c) => c.path.includes("/ip-rules") && c.method !== "GET")).toEqual([]);
  const after = await rulesAtHeroku();
  expect(after.map((r) => r.id).sort()).toEqual(before.map((r) => r.id).sort());
  expect(summary(after)).toEqual(summary(before));
  const held = up.outputs?.rules as Record<string, { ruleId: string }>;
  expect(
    Object.values(held)
      .map((r) => r.ruleId)
      .sort(),
  ).toEqual(before.map((r) => r.id).sort());
  // The credential's level went through the allowlist's rules over mTLS, as before.
  expect(up.outputs?.analystLevels).toEqual({ public: "read-only" });

  await controlJson(fixture.s, "DELETE", "/requests");
  const again = await runStack("preview", { ...options("current", blocks), expectNoChanges: true });
  expect(again.error).toBeUndefined();
  expect(await mutatingRequests(fixture.s)).toEqual([]);
});

test("a block added, one removed and one re-described: the preview names each by CIDR, and up does just that", async () => {
  const before = await rulesAtHeroku();
  const id = (cidr: string): string => before.find((r) => r.cidr === cidr)!.id;
  const blocks = [LOOPBACK, { ...OFFICE, description: "office, new building" }, VPC];

  await controlJson(fixture.s, "DELETE", "/requests");
  const preview = await runStack("preview", options("current", blocks));
  expect(preview.error).toBeUndefined();
  expect(preview.changeSummary).toMatchObject({ update: 1 });
  expect(preview.changeSummary?.replace ?? 0).toBe(0);
  expect(await mutatingRequests(fixture.s)).toEqual([]);
  const update = preview.events.find((e) => e.type.endsWith(":IpAllowlist"));
  expect(update?.op).toBe("update");
  // `pulumi preview --diff` shows the blocks by their CIDR: the new one, the removed one, the changed description.
  expect(preview.log).toMatch(/\+ 192\.0\.2\.0\/24\s*: \{\s*\+ description: "vpc"/);
  expect(preview.log).toMatch(/- 203\.0\.113\.0\/24\s*: \{\s*- description: "partner"/);
  expect(preview.log).toMatch(/~ 198\.51\.100\.0\/24\s*: \{\s*~ description: "office" => "office, new building"/);
  // The unchanged block is shown without a sign, and nothing else of the allowlist changes.
  expect(preview.log).toMatch(/\n\s+127\.0\.0\.1\/32\s*: \{\s*description: "this machine"/);
  expect(preview.log).not.toMatch(/~ supersedesIpRules/);

  await controlJson(fixture.s, "DELETE", "/requests");
  const up = await runStack("up", options("current", blocks));
  expect(up.error).toBeUndefined();
  expect(up.summary).toMatchObject({ update: 1 });
  const changed = (await requestLog(fixture.s)).filter((c) => c.path.includes("/ip-rules") && c.method !== "GET");
  expect(
    changed
      .filter((c) => c.method === "DELETE")
      .map((c) => c.path.split("/").pop())
      .sort(),
  ).toEqual([id(OFFICE.cidr), id(PARTNER.cidr)].sort());
  expect(changed.filter((c) => c.method === "POST").map((c) => c.status)).toEqual([201, 201]);
  // The loopback rule, unchanged, was never touched.
  expect(changed.filter((c) => c.path.includes(id(LOOPBACK.cidr)))).toEqual([]);
  const after = await rulesAtHeroku();
  expect(summary(after)).toEqual([
    "127.0.0.1/32 this machine Authorized",
    "192.0.2.0/24 vpc Authorized",
    "198.51.100.0/24 office, new building Authorized",
  ]);
  expect(after.find((r) => r.cidr === LOOPBACK.cidr)?.id).toBe(id(LOOPBACK.cidr));

  await controlJson(fixture.s, "DELETE", "/requests");
  const quiet = await runStack("preview", { ...options("current", blocks), expectNoChanges: true });
  expect(quiet.error).toBeUndefined();
  expect(await mutatingRequests(fixture.s)).toEqual([]);
});

test("destroy deletes every rule of the allowlist and the database", async () => {
  const destroyed = await runStack("destroy", options("current", [LOOPBACK]));
  expect(destroyed.error).toBeUndefined();
  const pg = (
    await herokuJson<{ addon_service: { name: string } }[]>(fixture.s, "GET", "/apps/acme-api/addons")
  ).filter((a) => a.addon_service.name === "heroku-postgresql");
  expect(pg).toEqual([]);
});
