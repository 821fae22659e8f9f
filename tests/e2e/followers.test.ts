// Followers and plan changes through the real CLI (issue 15): a follower of an encrypted leader with another key
// is refused at preview; a follower with the leader's key streams the leader's rows and refuses writes; a
// credential on it is refused before anything is made; a plan change updates the leader in place, keeping its data.
import * as path from "node:path";
import { e2eFixture } from "./fixture";
import { controlJson, herokuJson, mutatingRequests, requestLog } from "./emulator-client";
import { runStack, stepsOf, type StackOptions } from "../support/pulumi";
import { appDatabaseUrl, connect, orderIds, seedOrders } from "../support/orders-writer";

jest.setTimeout(20 * 60_000);

const fx = e2eFixture("followers");
const APP = "acme-api";

function stack(config: Record<string, string> = {}, extra: Partial<StackOptions> = {}): StackOptions {
  return {
    program: "dist/tests/e2e/programs/followers.js",
    project: "followers",
    stack: "main",
    stateDir: path.join(fx.workDir, "state"),
    env: fx.s.env,
    config,
    resetConfig: true,
    ...extra,
  };
}

const rowCount = async (url: string): Promise<number> => (await orderIds(url)).size;

test("followers: the leader's key only, rows streamed, no credentials; a plan change keeps the data in place", async () => {
  const base = await runStack("up", stack());
  expect(base.error).toBeUndefined();
  const leaderId = String(base.outputs?.leaderId);
  const leaderName = String(base.outputs?.leaderName);
  const keyA = String(base.outputs?.keyA);
  const keyB = String(base.outputs?.keyB);
  const leaderUrl = await appDatabaseUrl(fx.s, APP);
  await seedOrders(leaderUrl, 100);

  // Another key than the encrypted leader's: refused at preview, on encryptionKeyArn, and nothing is made.
  await controlJson(fx.s, "DELETE", "/requests");
  const refused = await runStack("preview", stack({ followerKey: "b" }));
  expect(refused.error).toContain(`encryptionKeyArn must be ${keyA}, the key of leader ${leaderId}`);
  expect(refused.error).toContain(`got ${keyB}`);
  expect(await mutatingRequests(fx.s)).toEqual([]);

  // The leader's key: a follower that has the leader's rows, streams new ones, and refuses writes.
  const followed = await runStack("up", stack({ followerKey: "a" }));
  expect(followed.error).toBeUndefined();
  expect(followed.outputs?.following).toBe(leaderName);
  const followerName = String(followed.outputs?.followerName);
  const vars = await herokuJson<Record<string, string>>(fx.s, "GET", `/apps/${APP}/config-vars`);
  const followerUrl = vars[String(followed.outputs?.followerConfigVar)] ?? "";
  expect(followerUrl).not.toBe("");
  expect(await rowCount(followerUrl)).toBe(100);
  const leader = await connect(leaderUrl);
  await leader.query("insert into orders (note) values ('after the follower was made')");
  await leader.end();
  const streamedBy = Date.now() + 30_000;
  while ((await rowCount(followerUrl)) !== 101 && Date.now() < streamedBy) await new Promise((r) => setTimeout(r, 200));
  expect(await rowCount(followerUrl)).toBe(101);
  const follower = await connect(followerUrl);
  await expect(follower.query("insert into orders (note) values ('on the follower')")).rejects.toThrow(/read-only/);
  await follower.end();
  const info = await herokuJson<{ info: { name: string; values: string[] }[] }>(
    fx.s,
    "GET",
    `/client/v11/databases/${followerName}`,
  );
  expect(info.info.find((r) => r.name === "Customer Encryption Key")?.values).toEqual([keyA]);

  // A credential on the follower: refused with Heroku's message before any credential call that changes anything.
  await controlJson(fx.s, "DELETE", "/requests");
  const credential = await runStack("up", stack({ followerKey: "a", credential: "true" }));
  expect(credential.error).toContain("This operation is not supported for follower databases.");
  expect((await mutatingRequests(fx.s)).filter((r) => r.path.includes("/credentials"))).toEqual([]);
  const credentials = await herokuJson<{ name: string }[]>(
    fx.s,
    "GET",
    `/postgres/v0/databases/${followerName}/credentials`,
  );
  expect(credentials.map((c) => c.name)).not.toContain("analyst");

  // A new plan for the leader (the follower removed): an update, not a replacement, that keeps every row.
  const change = { leaderPlan: "heroku-postgresql:private-2" };
  const preview = await runStack("preview", stack(change));
  expect(preview.error).toBeUndefined();
  expect(stepsOf(preview)).toEqual(["delete follower", "update leader"]);
  await controlJson(fx.s, "DELETE", "/requests");
  const changed = await runStack("up", stack(change));
  expect(changed.error).toBeUndefined();
  expect(changed.outputs?.leaderId).toBe(leaderId);
  const patches = (await requestLog(fx.s)).filter((r) => r.method === "PATCH" && r.path.includes("/addons/"));
  expect(patches).toHaveLength(1);
  const addon = await herokuJson<{ id: string; plan: { name: string } }>(
    fx.s,
    "GET",
    `/apps/${APP}/addons/${leaderId}`,
  );
  expect(addon.plan.name).toBe("heroku-postgresql:private-2");
  const wait = await herokuJson<{ "waiting?": boolean }>(fx.s, "GET", `/client/v11/databases/${leaderId}/wait_status`);
  expect(wait["waiting?"]).toBe(false);
  expect(await rowCount(await appDatabaseUrl(fx.s, APP))).toBe(101);
  const settled = await runStack("preview", stack(change, { expectNoChanges: true }));
  expect(settled.error).toBeUndefined();

  // Out of the Private plans: not something Heroku changes in place, so the preview refuses it on plan.
  await controlJson(fx.s, "DELETE", "/requests");
  const out = await runStack("preview", stack({ leaderPlan: "heroku-postgresql:premium-0" }));
  expect(out.error).toContain(
    "plan cannot change in place from heroku-postgresql:private-2 (Private) to heroku-postgresql:premium-0 (Standard or Premium)",
  );
  expect(await mutatingRequests(fx.s)).toEqual([]);
});
