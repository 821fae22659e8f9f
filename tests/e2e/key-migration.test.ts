// SecurePostgres's key migration through the real CLI (README "Adding a customer key to an existing
// SecurePostgres"): a component made on Heroku's own key moves onto a customer key in three changes, none of
// which replaces the database, and every row it had is in the encrypted database the app then uses.
import * as path from "node:path";
import { e2eFixture } from "./fixture";
import { herokuJson } from "./emulator-client";
import { runStack, stepsOf, type StackOptions } from "../support/pulumi";
import { appDatabaseUrl, orderIds, seedOrders } from "../support/orders-writer";

jest.setTimeout(20 * 60_000);

const fx = e2eFixture("key-migration");
const APP = "acme-api";

function stack(phase?: string, extra: Partial<StackOptions> = {}): StackOptions {
  return {
    program: "dist/tests/e2e/programs/key-migration.js",
    project: "key-migration",
    stack: "main",
    stateDir: path.join(fx.workDir, "state"),
    env: fx.s.env,
    config: phase ? { keyMigration: phase } : {},
    resetConfig: true,
    ...extra,
  };
}

test("a SecurePostgres without a key moves onto one in three changes, keeping every row", async () => {
  const made = await runStack("up", stack());
  expect(made.error).toBeUndefined();
  const oldName = String(made.outputs?.addonName);
  await seedOrders(await appDatabaseUrl(fx.s, APP), 200);

  const follow = await runStack("preview", stack("follow"));
  expect(follow.error).toBeUndefined();
  expect(stepsOf(follow)).toEqual(["create orders-db-encrypted", "create orders-key"]);
  const followed = await runStack("up", stack("follow"));
  expect(followed.error).toBeUndefined();
  // Until the promotion the component's database is the old one: the app still uses it.
  expect(followed.outputs?.addonName).toBe(oldName);

  const promote = await runStack("preview", stack("promote"));
  expect(promote.error).toBeUndefined();
  expect(stepsOf(promote)).toEqual(["update orders-db-encrypted"]);
  const promoted = await runStack("up", stack("promote"));
  expect(promoted.error).toBeUndefined();
  const newName = String(promoted.outputs?.addonName);
  expect(newName).not.toBe(oldName);
  const keyArn = String(promoted.outputs?.keyArn);
  const attachments = await herokuJson<{ name: string; addon: { name: string } }[]>(
    fx.s,
    "GET",
    `/apps/${APP}/addon-attachments`,
  );
  expect(attachments.find((a) => a.name === "DATABASE")?.addon.name).toBe(newName);
  const info = await herokuJson<{ following: unknown; info: { name: string; values: string[] }[] }>(
    fx.s,
    "GET",
    `/client/v11/databases/${newName}`,
  );
  expect(info.following).toBeNull();
  expect(info.info.find((r) => r.name === "Customer Encryption Key")?.values).toEqual([keyArn]);
  // The component's default once it is the primary: Enhanced Certificates on (mTLS is off).
  expect(info.info.find((r) => r.name === "Enhanced Certificates")?.values[0]).toBe("Enabled");
  expect((await orderIds(await appDatabaseUrl(fx.s, APP))).size).toBe(200);

  const done = await runStack("preview", stack("done"));
  expect(done.error).toBeUndefined();
  expect(stepsOf(done)).toEqual(["delete orders-db"]);
  const finished = await runStack("up", stack("done"));
  expect(finished.error).toBeUndefined();
  const addons = await herokuJson<{ name: string }[]>(fx.s, "GET", `/apps/${APP}/addons`);
  expect(addons.map((a) => a.name)).toEqual([newName]);
  expect((await orderIds(await appDatabaseUrl(fx.s, APP))).size).toBe(200);
  const settled = await runStack("preview", stack("done", { expectNoChanges: true }));
  expect(settled.error).toBeUndefined();
});
