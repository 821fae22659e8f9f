// examples/byok-migration through the real Pulumi CLI: an unencrypted Private database with data, and a client
// that keeps inserting rows throughout; then the three pull requests of the example's README (add the follower
// with the key; promote; remove the old database), with `pulumi` killed in the middle of the promotion and the
// run recovered as the README says. Asserted on Heroku's (the emulator's) state and on PostgreSQL itself.
import * as path from "node:path";
import { e2eFixture } from "./fixture";
import { controlJson, herokuJson, type LoggedRequest, requestLog } from "./emulator-client";
import { storedAddons } from "./database-state";
import { runStack, startStack, stepsOf, type StackOptions } from "../support/pulumi";
import { appDatabaseUrl, orderIds, OrdersWriter, seedOrders } from "../support/orders-writer";

jest.setTimeout(30 * 60_000);

const fx = e2eFixture("byok-migration");
const APP = "acme-api";
const SEED_ROWS = 500;

function step(n: number, extra: Partial<StackOptions> = {}): StackOptions {
  return {
    program: "dist/examples/byok-migration/index.js",
    project: "byok-migration",
    stack: "main",
    stateDir: path.join(fx.workDir, "state"),
    env: fx.s.env,
    config: { step: String(n), alias: "alias/e2e-migration" },
    ...extra,
  };
}

interface DatabaseInfo {
  resource_url: string;
  following: unknown;
  info: { name: string; values: string[] }[];
}
const info = (name: string): Promise<DatabaseInfo> =>
  herokuJson<DatabaseInfo>(fx.s, "GET", `/client/v11/databases/${name}`);
const row = (i: DatabaseInfo, name: string): string[] | undefined => i.info.find((r) => r.name === name)?.values;

/** The request log's entries carry when each request arrived and when its answer left (emulator/README.md). */
type Logged = LoggedRequest & { receivedAt?: string; at?: string };
const maintenanceCalls = (log: Logged[]): Logged[] =>
  log.filter((r) => r.method === "PATCH" && r.path === `/apps/${APP}` && r.status === 200);

async function waitForRequest(seen: (log: LoggedRequest[]) => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10 * 60_000;
  while (Date.now() < deadline) {
    if (seen(await requestLog(fx.s))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the run never reached: ${what}`);
}

test("an unencrypted database moves onto the stack's key in three pull requests, with a kill mid-promotion, losing no committed row", async () => {
  // Before: the app's database as it has been all along.
  const before = await runStack("up", step(0));
  expect(before.error).toBeUndefined();
  const oldName = String(before.outputs?.oldAddonName);
  const oldUrl = await appDatabaseUrl(fx.s, APP);
  await seedOrders(oldUrl, SEED_ROWS);
  const writer = new OrdersWriter(fx.s, APP);
  writer.start();
  try {
    // Pull request 1: the key and a follower encrypted with it. The preview shows two creates, nothing else.
    const preview1 = await runStack("preview", step(1));
    expect(preview1.error).toBeUndefined();
    expect(stepsOf(preview1)).toEqual(["create orders-db-encrypted", "create orders-key"]);
    const up1 = await runStack("up", step(1));
    expect(up1.error).toBeUndefined();
    const newName = String(up1.outputs?.encryptedAddonName);
    const keyArn = String(up1.outputs?.keyArn);
    expect(up1.outputs?.following).toBe(oldName);
    expect(typeof up1.outputs?.behindBy).toBe("string");
    const follower = await info(newName);
    expect(follower.following).not.toBeNull();
    expect(row(follower, "Customer Encryption Key")).toEqual([keyArn]);
    expect(row(await info(oldName), "Customer Encryption Key")).toBeUndefined();
    expect((await herokuJson<{ maintenance: boolean }>(fx.s, "GET", `/apps/${APP}`)).maintenance).toBe(false);

    // Pull request 2: the promotion, as an update of the follower. Heroku answers the unfollow with 503 a few
    // times (the client retries it with backoff), and `pulumi` is killed in that window, with maintenance on.
    const preview2 = await runStack("preview", step(2));
    expect(preview2.error).toBeUndefined();
    expect(stepsOf(preview2)).toEqual(["update orders-db-encrypted"]);
    await controlJson(fx.s, "DELETE", "/requests");
    await controlJson(fx.s, "POST", "/faults", { method: "PUT", path: "/unfollow$", status: 503, times: 4 });
    const killed = startStack("up", step(2));
    await waitForRequest(
      (log) => log.some((r) => r.method === "PUT" && r.path.endsWith("/unfollow") && r.status === 503),
      "the promotion reached the unfollow",
    );
    killed.kill();
    expect((await killed.result).killed).toBe(true);
    await controlJson(fx.s, "DELETE", "/faults");
    // Nothing of the killed run goes on: a while later the app is still in maintenance, the follower still follows.
    await new Promise((r) => setTimeout(r, 5_000));
    expect((await herokuJson<{ maintenance: boolean }>(fx.s, "GET", `/apps/${APP}`)).maintenance).toBe(true);
    expect((await info(newName)).following).not.toBeNull();
    expect(maintenanceCalls(await requestLog(fx.s))).toHaveLength(1);
    for (const command of ["cancel", "refresh", "up"]) {
      const r = await runStack(command, step(2));
      expect(r.error).toBeUndefined();
    }
    const promotedLog = await requestLog(fx.s);
    // Wait for the client to write to the new primary before stopping it.
    const resumeDeadline = Date.now() + 60_000;
    while (writer.pauses.length === 0 && Date.now() < resumeDeadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1_000));
    await writer.stop();

    const calls = maintenanceCalls(promotedLog);
    expect(calls).toHaveLength(2); // on (by the killed run), off (by the recovering run): never on twice
    const maintenanceBegan = Date.parse(calls[0]?.receivedAt ?? "");
    const maintenanceEnded = Date.parse(calls[1]?.at ?? "");
    expect(Number.isNaN(maintenanceBegan) || Number.isNaN(maintenanceEnded)).toBe(false);

    // The app reads the new primary: DATABASE is the encrypted database, and DATABASE_URL reaches it.
    const attachments = await herokuJson<{ name: string; addon: { name: string } }[]>(
      fx.s,
      "GET",
      `/apps/${APP}/addon-attachments`,
    );
    expect(attachments.find((a) => a.name === "DATABASE")?.addon.name).toBe(newName);
    expect(attachments.some((a) => a.addon.name === oldName)).toBe(true); // pg:promote keeps the old one attached
    const newUrl = await appDatabaseUrl(fx.s, APP);
    const promoted = await info(newName);
    expect(promoted.following).toBeNull();
    expect(row(promoted, "Customer Encryption Key")).toEqual([keyArn]);
    const { hostname, port } = new URL(promoted.resource_url);
    expect(new URL(newUrl)).toMatchObject({ hostname, port });

    // Every row committed before maintenance began is in the new primary; the client wrote there afterwards.
    const inNew = await orderIds(newUrl);
    const beforeMaintenance = writer.commits.filter((c) => c.at < maintenanceBegan);
    expect(beforeMaintenance.length).toBeGreaterThan(0);
    expect(beforeMaintenance.filter((c) => !inNew.has(c.id))).toEqual([]);
    for (let id = 1; id <= SEED_ROWS; id++) expect(inNew.has(id)).toBe(true);
    const afterMaintenance = writer.commits.filter((c) => c.at > maintenanceEnded);
    expect(afterMaintenance.length).toBeGreaterThan(0);
    expect(afterMaintenance.filter((c) => !inNew.has(c.id))).toEqual([]);
    const paused = writer.pauses.reduce((sum, p) => sum + (p.to - p.from), 0);
    process.stdout.write(
      `byok-migration: writes were refused for ${paused} ms (maintenance on to off: ${maintenanceEnded - maintenanceBegan} ms, including the killed run, 5 s of waiting and the recovery); ${writer.commits.length} rows written by the client, ${writer.errors.length} failed writes\n`,
    );

    const settled = await runStack("preview", step(2, { expectNoChanges: true }));
    expect(settled.error).toBeUndefined();

    // Pull request 3: remove the old database (pull request 2 lifted its protection). Only it is deleted.
    const preview3 = await runStack("preview", step(3));
    expect(preview3.error).toBeUndefined();
    expect(stepsOf(preview3)).toEqual(["delete orders-db"]);
    const up3 = await runStack("up", step(3));
    expect(up3.error).toBeUndefined();
    const addons = await herokuJson<{ name: string }[]>(fx.s, "GET", `/apps/${APP}/addons`);
    expect(addons.map((a) => a.name)).toEqual([newName]);
    expect((await storedAddons(fx.s)).map((a) => a.name)).not.toContain(oldName);
    expect(await appDatabaseUrl(fx.s, APP)).toBe(newUrl);
    expect((await orderIds(newUrl)).size).toBe(inNew.size);
    const final = await runStack("preview", step(3, { expectNoChanges: true }));
    expect(final.error).toBeUndefined();
  } finally {
    await writer.stop();
  }
});
