// Followers for real: a follower is a streaming standby of its leader's cluster. Rows written to the leader reach
// it, it refuses writes, wait_status and "Behind By" come from WAL positions, unfollow makes it writable, and
// pg:promote's attachment calls move DATABASE_URL to it. Refusals: the BYOK key rule, chaining, tiers, credentials.
import { type Services } from "../support/services";
import { createHerokuKey, disableKey } from "../support/kms-keys";
import {
  api,
  control,
  pollUntil,
  provisioned,
  row,
  sql,
  type AddonJson,
  type InfoJson,
  startLocalServices,
} from "./helpers";

jest.setTimeout(180_000);
let s: Services;
let base: string;

interface WaitJson {
  "waiting?": boolean;
  "error?": boolean;
  message: string;
}

interface FollowInfo extends InfoJson {
  following: string | null;
  leader: string | null;
  resource_url: string;
  forked_from: string | null;
  info: { name: string; values: string[]; resolve_db_name?: boolean }[];
}

interface ErrorJson {
  id: string;
  message: string;
}

beforeAll(async () => ({ services: s, base } = await startLocalServices()));
afterAll(async () => s?.stop());
beforeEach(async () => {
  await control(base, "POST", "/reset");
  await control(base, "PUT", "/speed", {
    "addon-provision": "immediate",
    "addon-deprovision": "immediate",
    credential: "immediate",
    "fork-follow": "immediate",
  });
});

const info = async (db: string): Promise<FollowInfo> =>
  (await api<FollowInfo>(base, "GET", `/client/v11/databases/${db}`)).json;
const waitStatus = async (db: string): Promise<WaitJson> =>
  (await api<WaitJson>(base, "GET", `/client/v11/databases/${db}/wait_status`)).json;
const caughtUp = (db: string): Promise<WaitJson> =>
  pollUntil(
    () => waitStatus(db),
    (w) => !w["waiting?"],
  );
const count = async (url: string): Promise<number> =>
  Number((await sql<{ n: string }>(url, "SELECT count(*) AS n FROM orders"))[0]!.n);
const insert = (url: string, from: number, to: number): Promise<unknown> =>
  sql(url, "INSERT INTO orders (id) SELECT g FROM generate_series($1::int, $2::int) g", [from, to]);

/** A private-0 leader on acme-api (DATABASE) with a table of 3 rows. */
async function leaderWithRows(): Promise<{ leader: AddonJson; url: string }> {
  const { addon, vars } = await provisioned(base, "acme-api", { plan: "heroku-postgresql:private-0" });
  const url = vars.DATABASE_URL!;
  await sql(url, "CREATE TABLE orders (id int PRIMARY KEY)");
  await insert(url, 1, 3);
  return { leader: addon, url };
}

async function follower(
  follow: string,
  extra: Record<string, string> = {},
): Promise<{ addon: AddonJson; url: string; attachment: string }> {
  const { addon, vars } = await provisioned(base, "acme-api", {
    plan: "heroku-postgresql:private-0",
    config: { follow, ...extra },
  });
  expect(addon.state).toBe("provisioned");
  const attachment = addon.config_vars[0]!;
  return { addon, url: vars[attachment]!, attachment };
}

test("a follower of an unencrypted leader, made with a key, streams every committed row and refuses writes", async () => {
  const { leader, url: leaderUrl } = await leaderWithRows();
  const key = await createHerokuKey(s.moto.endpoint);
  // Named by the leader's attachment, as Dev Center's BYOK migration does (--follow HEROKU_POSTGRES_LEADER_COLOR).
  const f = await follower("DATABASE", { "encryption-key": key });
  expect(f.attachment).toBe("HEROKU_POSTGRESQL_AMBER_URL");

  // A physical copy: the leader's database, user and password, at the follower's own address.
  const [lu, fu] = [new URL(leaderUrl), new URL(f.url)];
  expect([fu.username, fu.password, fu.pathname]).toEqual([lu.username, lu.password, lu.pathname]);
  expect(fu.port).not.toBe(lu.port);
  expect(await count(f.url)).toBe(3);

  await insert(leaderUrl, 4, 500);
  await caughtUp(f.addon.id);
  // Caught up means every row committed before the read is there.
  expect(await count(f.url)).toBe(500);
  await expect(sql(f.url, "INSERT INTO orders VALUES (9999)")).rejects.toThrow(/read-only transaction/);

  const fi = await info(f.addon.name);
  const li = await info(leader.name);
  expect(fi.following).toBe(li.resource_url);
  expect(fi.leader).toBe(leader.name);
  expect(fi.info.find((r) => r.name === "Following")).toEqual({
    name: "Following",
    values: [li.resource_url],
    resolve_db_name: true,
  });
  expect(row(fi, "Behind By")).toEqual(["0 bytes"]);
  expect(row(fi, "Fork/Follow")).toEqual(["Unavailable on followers"]);
  expect(row(fi, "Customer Encryption Key")).toEqual([key]);
  expect(row(li, "Followers")).toEqual([fi.resource_url]);
  expect(li.following).toBeNull();

  // Credentials cascade from the leader and cannot be made on a follower (Dev Center, "Heroku Postgres Credentials").
  const refused = await api<ErrorJson>(base, "POST", `/postgres/v0/databases/${f.addon.name}/credentials`, {
    body: { name: "analyst" },
  });
  expect([refused.status, refused.json.message]).toEqual([
    422,
    "This operation is not supported for follower databases.",
  ]);
  const made = await api(base, "POST", `/postgres/v0/databases/${leader.name}/credentials`, {
    body: { name: "analyst" },
  });
  expect(made.status).toBe(201);
  await caughtUp(f.addon.id);
  const admin = s.emulator.adminDatabaseUrls()[f.addon.name]!;
  expect(await sql(admin, "SELECT rolname FROM pg_roles WHERE rolname = 'analyst'")).toEqual([{ rolname: "analyst" }]);
  // The follower lists the leader's credentials at its own address.
  const listed = (
    await api<{ name: string; port: number }[]>(base, "GET", `/postgres/v0/databases/${f.addon.name}/credentials`)
  ).json;
  expect(listed.map((c) => [c.name, c.port])).toEqual([
    ["default", Number(fu.port)],
    ["analyst", Number(fu.port)],
  ]);
});

test("a rotation on the leader reaches the follower: its URL carries the leader's new password", async () => {
  const { leader, url: leaderUrl } = await leaderWithRows();
  const f = await follower("DATABASE");
  const r = await api(base, "POST", `/postgres/v0/databases/${leader.name}/credentials/default/credentials_rotation`, {
    body: {},
  });
  expect(r.status).toBe(200);
  await caughtUp(f.addon.id);
  const vars = (await api<Record<string, string>>(base, "GET", "/apps/acme-api/config-vars")).json;
  const rotated = new URL(vars[f.attachment]!).password;
  expect(rotated).toBe(new URL(vars.DATABASE_URL!).password);
  expect(rotated).not.toBe(new URL(leaderUrl).password);
  const shown = (
    await api<{ credentials: { password: string }[] }>(
      base,
      "GET",
      `/postgres/v0/databases/${f.addon.id}/credentials/default`,
    )
  ).json;
  expect(shown.credentials[0]!.password).toBe(rotated);
  expect(await count(vars[f.attachment]!)).toBe(3);
  await expect(count(f.url)).rejects.toThrow(/password authentication failed/);
});

test("wait_status and Behind By follow the real replay position", async () => {
  const { url: leaderUrl } = await leaderWithRows();
  const f = await follower("DATABASE");
  await caughtUp(f.addon.id);
  const admin = s.emulator.adminDatabaseUrls()[f.addon.name]!;
  await sql(admin, "SELECT pg_wal_replay_pause()");
  try {
    await insert(leaderUrl, 4, 100);
    const behind = await waitStatus(f.addon.id);
    expect(behind["waiting?"]).toBe(true);
    expect(behind.message).toMatch(/^Following postgresql-[a-z]+-\d+: \d+ (bytes|kB) behind$/);
    expect(row(await info(f.addon.id), "Behind By")![0]).not.toBe("0 bytes");
    expect(await count(f.url)).toBe(3);
  } finally {
    await sql(admin, "SELECT pg_wal_replay_resume()");
  }
  expect((await caughtUp(f.addon.id)).message).toBe("Available");
  expect(await count(f.url)).toBe(100);
});

test("unfollow makes the follower a writable fork; the leader drops its slot", async () => {
  await control(base, "PUT", "/speed", { "fork-follow": { ms: 3_600_000 } });
  const { leader, url: leaderUrl } = await leaderWithRows();
  const f = await follower(leader.name);
  const leaderAdmin = s.emulator.adminDatabaseUrls()[leader.name]!;
  expect(await sql(leaderAdmin, "SELECT slot_type, active FROM pg_replication_slots")).toEqual([
    { slot_type: "physical", active: true },
  ]);
  await insert(leaderUrl, 4, 10);
  await caughtUp(f.addon.id);

  // Two at once (a client retrying a call whose answer it lost): one unfollows, the other finds no follower.
  const both = await Promise.all([1, 2].map(() => api(base, "PUT", `/client/v11/databases/${f.addon.id}/unfollow`)));
  expect(both.map((r) => r.status).sort()).toEqual([200, 422]);
  await insert(f.url, 11, 20);
  await insert(leaderUrl, 11, 30);
  expect(await count(f.url)).toBe(20);
  expect(await count(leaderUrl)).toBe(30);
  expect(await sql(leaderAdmin, "SELECT slot_name FROM pg_replication_slots")).toEqual([]);

  const fi = await info(f.addon.id);
  expect([fi.following, fi.leader, row(fi, "Following"), row(fi, "Fork/Follow")]).toEqual([
    null,
    null,
    undefined,
    ["Temporarily Unavailable"],
  ]);
  expect(row(fi, "Forked From")).toEqual([(await info(leader.id)).resource_url]);
  expect(row(await info(leader.id), "Followers")).toBeUndefined();
  const again = await api<ErrorJson>(base, "PUT", `/client/v11/databases/${f.addon.id}/unfollow`);
  expect([again.status, again.json.message]).toEqual([422, `${f.addon.name} is not a follower.`]);
  // A fork manages its own credentials.
  const made = await api(base, "POST", `/postgres/v0/databases/${f.addon.id}/credentials`, { body: { name: "etl" } });
  expect(made.status).toBe(201);

  // A new fork cannot be followed for a while (Dev Center, "Heroku Postgres Follower Databases").
  const early = await api<ErrorJson>(base, "POST", "/apps/acme-api/addons", {
    body: { plan: "heroku-postgresql:private-0", config: { follow: f.addon.name } },
  });
  expect([early.status, early.json.message]).toEqual([
    422,
    `${f.addon.name} was forked from its leader moments ago, and followers can't be created for a period on newly forked databases; try again later.`,
  ]);
  await control(base, "POST", "/clock", { advanceSeconds: 3600 });
  expect(row(await info(f.addon.id), "Fork/Follow")).toEqual(["Available"]);
  const later = await follower(f.addon.name);
  expect(await count(later.url)).toBe(20);
});

test("pg:promote's calls: a backup attachment, then DATABASE moves to the follower with confirm", async () => {
  const { leader, url: leaderUrl } = await leaderWithRows();
  const f = await follower("DATABASE");
  const backup = await api<{ name: string }>(base, "POST", "/addon-attachments", {
    body: { addon: { name: leader.name }, app: { name: "acme-api" }, confirm: "acme-api", namespace: null },
  });
  expect(backup.status).toBe(201);
  const body = { addon: { name: f.addon.name }, app: { name: "acme-api" }, name: "DATABASE", namespace: null };
  const unconfirmed = await api<ErrorJson>(base, "POST", "/addon-attachments", { body });
  expect([unconfirmed.status, unconfirmed.json.id]).toEqual([423, "confirmation_required"]);
  const promoted = await api(base, "POST", "/addon-attachments", { body: { ...body, confirm: "acme-api" } });
  expect(promoted.status).toBe(201);

  const vars = (await api<Record<string, string>>(base, "GET", "/apps/acme-api/config-vars")).json;
  expect(vars.DATABASE_URL).toBe(f.url);
  expect(vars[`${backup.json.name}_URL`]).toBe(leaderUrl);
  const releases = (
    await api<{ description: string }[]>(base, "GET", "/apps/acme-api/releases", {
      headers: { Range: "version ..; max=2, order=desc" },
    })
  ).json;
  expect(releases.map((x) => x.description)).toEqual([
    `Attach DATABASE (@ref:${f.addon.name})`,
    `Detach DATABASE (@ref:${leader.name})`,
  ]);
  expect((await api(base, "GET", "/apps/acme-api/formation")).json).toEqual([]);
});

test("deleting a leader unfollows its followers, which keep every row", async () => {
  const { leader, url: leaderUrl } = await leaderWithRows();
  const f = await follower("DATABASE");
  await insert(leaderUrl, 4, 7);
  await caughtUp(f.addon.id);
  expect((await api(base, "DELETE", `/apps/acme-api/addons/${leader.id}`)).status).toBe(200);
  expect((await info(f.addon.id)).following).toBeNull();
  await insert(f.url, 8, 8);
  expect(await count(f.url)).toBe(8);
});

describe("refusals (422 at once, nothing made)", () => {
  const create = (app: string, plan: string, config: Record<string, string>) =>
    api<ErrorJson>(base, "POST", `/apps/${app}/addons`, { body: { plan, config } });

  test("an unknown leader names config.follow", async () => {
    const r = await create("acme-api", "heroku-postgresql:private-0", { follow: "HEROKU_POSTGRESQL_NOPE" });
    expect(r.status).toBe(422);
    expect(r.json.message).toMatch(/^config\.follow: couldn't find the database HEROKU_POSTGRESQL_NOPE to follow/);
  });

  test("an encrypted leader's follower must use the leader's key", async () => {
    const key = await createHerokuKey(s.moto.endpoint);
    const other = await createHerokuKey(s.moto.endpoint);
    const { addon: leader } = await provisioned(base, "acme-api", {
      plan: "heroku-postgresql:private-0",
      config: { "encryption-key": key },
    });
    const configs: Record<string, string>[] = [
      { follow: leader.name },
      { follow: leader.name, "encryption-key": other },
    ];
    for (const config of configs) {
      const r = await create("acme-api", "heroku-postgresql:private-0", config);
      expect(r.status).toBe(422);
      expect(r.json.message).toContain(
        `Followers and forks must use the same encryption key as their leader: ${leader.name} is encrypted with ${key}`,
      );
    }
    const ok = await follower(leader.name, { "encryption-key": key });
    expect(row(await info(ok.addon.id), "Customer Encryption Key")).toEqual([key]);
    const addons = (await api<AddonJson[]>(base, "GET", "/apps/acme-api/addons")).json;
    expect(addons.length).toBe(2);
    // The shared key disabled: the leader refuses connections, and the follower replays that.
    await disableKey(s.moto.endpoint, key);
    expect((await control<{ changed: string[] }>(base, "POST", "/kms-sync")).changed.sort()).toEqual(
      [leader.name, ok.addon.name].sort(),
    );
    await pollUntil(
      () =>
        sql(ok.url, "SELECT 1").then(
          () => "open",
          (e: Error) => e.message,
        ),
      (m) => /not currently accepting connections/.test(m),
    );
    expect(row(await info(ok.addon.id), "Status")).toEqual(["Unavailable: customer encryption key is disabled"]);
  });

  test("followers can't be chained; Essential and Shield rules", async () => {
    const { leader } = await leaderWithRows();
    const f = await follower(leader.name);
    const chained = await create("acme-api", "heroku-postgresql:private-0", { follow: f.addon.name });
    expect(chained.json.message).toBe(
      `${f.addon.name} is itself a follower, and followers can't be chained: follow its leader instead.`,
    );
    const essential = await create("acme-hobby", "heroku-postgresql:essential-0", { follow: leader.name });
    expect(essential.json.message).toMatch(
      /^Followers are only supported on Standard, Premium, Private and Shield plans/,
    );
    const { addon: shield } = await provisioned(base, "acme-vault", { plan: "heroku-postgresql:shield-0" });
    const fromShield = await create("acme-api", "heroku-postgresql:private-0", { follow: shield.name });
    expect(fromShield.json.message).toBe(
      `${shield.name} is a Shield database: its followers must be on Shield plans too, not heroku-postgresql:private-0.`,
    );
    expect([chained.status, essential.status, fromShield.status]).toEqual([422, 422, 422]);
  });
});
