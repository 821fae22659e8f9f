// A follower's promotion through the provider's hooks against the emulator (real streaming replication): refused,
// changing nothing, while the follower has not caught up (its replay paused in PostgreSQL); done once it has.
import { Client } from "pg";
import * as hooks from "../../provider/secure-database/hooks";
import type { SecureDatabaseInputs } from "../../provider/secure-database/types";
import { ACME_PRIVATE_APP, startServices, type Services } from "../support/services";
import { control } from "../emulator/helpers";
import { libpqUrl } from "../support/pg";
import { appDatabaseUrl, connect, orderIds, seedOrders } from "../support/orders-writer";

jest.setTimeout(300_000);

let services: Services;
const APP = ACME_PRIVATE_APP;

beforeAll(async () => {
  services = await startServices();
  Object.assign(process.env, services.env);
  await control(services.emulator.url, "PUT", "/speed", {
    "addon-provision": { ms: 300 },
    "addon-deprovision": "immediate",
  });
});
afterAll(async () => {
  await services?.stop();
});

async function platform<T>(path: string): Promise<T> {
  const res = await fetch(`${services.emulator.url}${path}`, {
    headers: {
      Accept: "application/vnd.heroku+json; version=3",
      Authorization: `Bearer ${services.env.HEROKU_API_KEY}`,
    },
  });
  return (await res.json()) as T;
}

const primaryOf = async (): Promise<string | undefined> =>
  (await platform<{ name: string; addon: { name: string } }[]>(`/apps/${APP}/addon-attachments`)).find(
    (a) => a.name === "DATABASE",
  )?.addon.name;

async function onFollower(addonName: string, sql: string): Promise<void> {
  const url = services.emulator.adminDatabaseUrls()[addonName];
  if (!url) throw new Error(`no admin URL for ${addonName}`);
  const client = new Client({ connectionString: libpqUrl(url) });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function checked(raw: Record<string, unknown>): Promise<SecureDatabaseInputs> {
  const { inputs, failures } = await hooks.check(undefined, raw);
  expect(failures).toEqual([]);
  return inputs;
}

test("promotion refuses a follower that has not caught up, changing nothing, and promotes it once it has", async () => {
  const plan = "heroku-postgresql:private-0";
  const leader = await hooks.create(await checked({ app: APP, plan }));
  await seedOrders(await appDatabaseUrl(services, APP), 50);
  const inputs = await checked({ app: APP, plan, follow: leader.id });
  const follower = await hooks.create(inputs);
  expect(follower.outs.following).toBe(leader.outs.addonName);

  // Replay paused on the follower: what the leader commits now stays behind.
  await onFollower(follower.outs.addonName, "select pg_wal_replay_pause()");
  const writer = await connect(await appDatabaseUrl(services, APP));
  await writer.query("insert into orders (note) select 'late' from generate_series(1, 10)");
  await writer.end();
  await expect(hooks.update(follower.id, follower.outs, { ...inputs, promote: true })).rejects.toThrow(
    `promote: follower ${follower.outs.addonName} has not caught up with its leader ${leader.outs.addonName}`,
  );
  expect((await platform<{ maintenance: boolean }>(`/apps/${APP}`)).maintenance).toBe(false);
  expect(await primaryOf()).toBe(leader.outs.addonName);
  expect((await platform<{ following: unknown }>(`/client/v11/databases/${follower.id}`)).following).not.toBeNull();

  await onFollower(follower.outs.addonName, "select pg_wal_replay_resume()");
  const promoted = await hooks.update(follower.id, follower.outs, { ...inputs, promote: true });
  expect(promoted.outs).toMatchObject({ promoted: true, configVarName: "DATABASE_URL" });
  expect(promoted.outs.following).toBeUndefined();
  expect(await primaryOf()).toBe(follower.outs.addonName);
  const attachments = await platform<{ name: string; addon: { name: string } }[]>(`/apps/${APP}/addon-attachments`);
  expect(attachments.some((a) => a.addon.name === leader.outs.addonName && a.name !== "DATABASE")).toBe(true);
  expect((await platform<{ maintenance: boolean }>(`/apps/${APP}`)).maintenance).toBe(false);
  expect((await orderIds(await appDatabaseUrl(services, APP))).size).toBe(60);
  // The promoted database takes writes.
  const primary = await connect(await appDatabaseUrl(services, APP));
  await primary.query("insert into orders (note) values ('after the promotion')");
  await primary.end();

  // Once promoted, dropping follow and promote is no change; a new leader would still replace.
  const after = promoted.outs;
  expect((await hooks.diff(follower.id, after, { app: APP, plan, enhancedCertificates: false })).changes).toBe(false);
  expect((await hooks.diff(follower.id, after, { ...inputs, follow: "postgresql-other" })).replaces).toEqual([
    "follow",
  ]);

  await hooks.delete(leader.id, leader.outs);
  await hooks.delete(follower.id, after);
});
