// The emulator against the real Heroku CLI (npm `heroku`, pinned in scripts/env.sh, installed into the cache by
// scripts/install-heroku-cli.sh), run unchanged as a child process. Each test is named after the command it runs;
// databases are named three ways, as Heroku's docs do: by add-on name, by the attachment name DATABASE, and by
// another attachment name. The last test checks that the CLI never hit a route the emulator does not implement.
import { api, control, pollUntil, sql, type AddonJson } from "../emulator/helpers";
import { herokuCli, type HerokuCli } from "../support/heroku-cli";
import { createHerokuKey } from "../support/kms-keys";
import {
  ACME_EU_APP,
  ACME_HOBBY_APP,
  ACME_PRIVATE_APP,
  ACME_REPORTS_APP,
  startServices,
  type Services,
} from "../support/services";

jest.setTimeout(180_000);

const APP = ACME_PRIVATE_APP;
const OTHER = ACME_REPORTS_APP;
/** Dev Center's style of add-on name, given at creation so the commands below can read like the docs. */
const FIRST = "postgresql-sunny-12345";

let s: Services;
let cli: HerokuCli;
let keyArn: string;
/** The second database (Enhanced Certificates), attached as SECOND; its name is generated. */
let second: string;

interface Logged {
  method: string;
  path: string;
  status: number;
}

const output = (r: { stdout: string; stderr: string }): string => `${r.stdout}\n${r.stderr}`;

async function configVars(app: string): Promise<Record<string, string>> {
  return (await api<Record<string, string>>(s.emulator.url, "GET", `/apps/${app}/config-vars`)).json;
}

const userOf = (url: string): string => decodeURIComponent(new URL(url).username);

/** Rotations without force are refused while one is under way, so each step waits for the credential to settle. */
async function settled(db: string, name: string): Promise<void> {
  await pollUntil(
    async () =>
      (await api<{ state: string }>(s.emulator.url, "GET", `/postgres/v0/databases/${db}/credentials/${name}`)).json,
    (c) => c.state === "active",
  );
}

beforeAll(async () => {
  s = await startServices();
  await control(s.emulator.url, "PUT", "/speed", {
    "addon-provision": { ms: 300 },
    "addon-deprovision": "immediate",
    "enhanced-certificates": "immediate",
    credential: "immediate",
    rotation: "immediate",
  });
  keyArn = await createHerokuKey(s.moto.endpoint);
  cli = herokuCli(s.emulator);
});

afterAll(async () => {
  cli?.cleanup();
  await s?.stop();
});

describe("add-ons", () => {
  test(`heroku addons:create heroku-postgresql:private-0 --name ${FIRST} --wait -a ${APP} -- --encryption-key ARN`, async () => {
    const out = await cli.ok(
      "addons:create",
      "heroku-postgresql:private-0",
      "--name",
      FIRST,
      "--wait",
      "-a",
      APP,
      "--",
      "--encryption-key",
      keyArn,
    );
    expect(out).toContain(`Created ${FIRST} as DATABASE_URL`);
  });

  test(`heroku addons:create heroku-postgresql:private-0 --as SECOND -a ${APP} -- --enhanced-certificates-beta`, async () => {
    const r = await cli.run(
      "addons:create",
      "heroku-postgresql:private-0",
      "--as",
      "SECOND",
      "-a",
      APP,
      "--",
      "--enhanced-certificates-beta",
    );
    expect(r.code).toBe(0);
    const name = /(postgresql-[a-z]+-\d+) is being created in the background/.exec(output(r))?.[1];
    expect(name).toBeDefined();
    second = name!;
    await pollUntil(
      async () => (await api<AddonJson>(s.emulator.url, "GET", `/apps/${APP}/addons/${second}`)).json,
      (a) => a.state === "provisioned",
    );
  });

  test(`heroku addons:attach ${FIRST} --as PRIMARY -a ${APP}`, async () => {
    expect(output(await cli.run("addons:attach", FIRST, "--as", "PRIMARY", "-a", APP))).toMatch(/done, v\d+/);
  });

  test(`heroku addons -a ${APP}`, async () => {
    const out = await cli.ok("addons", "-a", APP);
    expect(out).toContain(`heroku-postgresql (${FIRST})`);
    expect(out).toContain(`heroku-postgresql (${second})`);
    expect(out).toMatch(/as DATABASE\n[\s\S]*as PRIMARY/);
    expect(out).toContain("as SECOND");
    expect(out).not.toContain("?");
  });

  test.each([FIRST, "DATABASE", "PRIMARY"])(`heroku addons:info %s -a ${APP}`, async (id) => {
    const out = await cli.ok("addons:info", id, "-a", APP);
    expect(out).toContain(`=== ${FIRST}`);
    expect(out).toContain("heroku-postgresql:private-0");
    expect(out).toContain(`${APP}::DATABASE`);
    expect(out).toContain(`${APP}::PRIMARY`);
    expect(out).toMatch(/State:\s+created/);
  });

  test(`heroku config -a ${APP}`, async () => {
    const out = await cli.ok("config", "-a", APP);
    const vars = await configVars(APP);
    // The CLI aligns the values in a column.
    const lines = out.split("\n").map((l) => l.replace(/:\s+/, ": "));
    for (const name of ["DATABASE_URL", "PRIMARY_URL", "SECOND_URL"]) expect(lines).toContain(`${name}: ${vars[name]}`);
    expect(vars.PRIMARY_URL).toBe(vars.DATABASE_URL);
    expect(vars.SECOND_URL).toContain("sslmode=verify-full");
  });

  test.each([FIRST, "DATABASE", "PRIMARY"])(`heroku pg:info %s -a ${APP}`, async (id) => {
    const out = await cli.ok("pg:info", id, "-a", APP);
    expect(out).toMatch(/Status:\s+Available/);
    expect(out).toMatch(new RegExp(`Customer Encryption Key:\\s+${keyArn}`));
    expect(out).toMatch(new RegExp(`Add-on:\\s+${FIRST}`));
  });

  test(`heroku pg:info SECOND -a ${APP}`, async () => {
    expect(await cli.ok("pg:info", "SECOND", "-a", APP)).toMatch(/Enhanced Certificates:\s+Enabled/);
  });

  test.each([FIRST, "DATABASE", "PRIMARY", "SECOND"])(
    `heroku pg:psql %s -c "select current_user" -a ${APP}`,
    async (id) => {
      const vars = await configVars(APP);
      const url = id === "SECOND" ? vars.SECOND_URL! : vars.DATABASE_URL!;
      const out = await cli.ok("pg:psql", id, "-c", "select current_user", "-a", APP);
      expect(out).toContain(userOf(url));
    },
  );
});

// One credential per way of naming the database; each is attached to another app, so destroy is refused first.
describe.each([
  [FIRST, "analyst_by_addon", "ANALYST_A"],
  ["DATABASE", "analyst_by_database", "ANALYST_D"],
  ["PRIMARY", "analyst_by_attachment", "ANALYST_P"],
])("credentials on %s", (id, name, as) => {
  test(`heroku pg:credentials:create ${id} --name ${name} -a ${APP}`, async () => {
    expect(output(await cli.run("pg:credentials:create", id, "--name", name, "-a", APP))).toContain(
      `Creating credential ${name}... done`,
    );
    await settled(FIRST, name);
  });

  test(`heroku addons:attach ${FIRST} --credential ${name} --as ${as} -a ${OTHER}`, async () => {
    const r = await cli.run("addons:attach", FIRST, "--credential", name, "--as", as, "-a", OTHER);
    expect(output(r)).toMatch(/done, v\d+/);
    expect(userOf((await configVars(OTHER))[`${as}_URL`]!)).toBe(name);
  });

  test(`heroku pg:credentials ${id} -a ${APP}`, async () => {
    const out = await cli.ok("pg:credentials", id, "-a", APP);
    expect(out).toMatch(/default\s+active/);
    expect(out).toMatch(new RegExp(`${name}\\s+active`));
    expect(out).toContain(`as ${as} on ${OTHER} app`);
  });

  test(`heroku pg:credentials:url ${id} --name ${name} -a ${APP}`, async () => {
    const out = await cli.ok("pg:credentials:url", id, "--name", name, "-a", APP);
    const url = /(postgres:\/\/\S+)/.exec(out)?.[1];
    expect(url && userOf(url)).toBe(name);
  });

  test(`heroku pg:credentials:destroy ${id} --name ${name} (refused while attached)`, async () => {
    const r = await cli.run("pg:credentials:destroy", id, "--name", name, "--confirm", APP, "-a", APP);
    expect(r.code).not.toBe(0);
    expect(output(r).replace(/\s+/g, " ")).toContain(`Credential ${name} must be detached from the app ${OTHER}`);
  });

  test(`heroku pg:credentials:rotate ${id} --name ${name} --confirm ${APP} -a ${APP}`, async () => {
    const before = (await configVars(OTHER))[`${as}_URL`];
    const r = await cli.run("pg:credentials:rotate", id, "--name", name, "--confirm", APP, "-a", APP);
    expect(output(r)).toContain(`Rotating ${name} on ${FIRST}... done`);
    await settled(FIRST, name);
    expect((await configVars(OTHER))[`${as}_URL`]).not.toBe(before);
  });

  test(`heroku pg:credentials:rotate ${id} --name ${name} --force --confirm ${APP} -a ${APP}`, async () => {
    const r = await cli.run("pg:credentials:rotate", id, "--name", name, "--force", "--confirm", APP, "-a", APP);
    expect(output(r)).toContain(`Rotating ${name} on ${FIRST}... done`);
    await settled(FIRST, name);
  });

  test(`heroku pg:credentials:rotate ${id} --all --confirm ${APP} -a ${APP}`, async () => {
    const r = await cli.run("pg:credentials:rotate", id, "--all", "--confirm", APP, "-a", APP);
    expect(output(r)).toContain(`Rotating all credentials on ${FIRST}... done`);
    await settled(FIRST, name);
  });

  test(`heroku pg:credentials:rotate ${id} --all --force --confirm ${APP} -a ${APP}`, async () => {
    const before = (await configVars(APP)).DATABASE_URL;
    const r = await cli.run("pg:credentials:rotate", id, "--all", "--force", "--confirm", APP, "-a", APP);
    expect(output(r)).toContain(`Rotating all credentials on ${FIRST}... done`);
    await settled(FIRST, name);
    expect((await configVars(APP)).DATABASE_URL).not.toBe(before);
  });

  test(`heroku pg:credentials:repair-default ${id} --confirm ${APP} -a ${APP}`, async () => {
    const r = await cli.run("pg:credentials:repair-default", id, "--confirm", APP, "-a", APP);
    expect(output(r)).toContain(
      "Resetting permissions and object ownership for default role to factory settings... done",
    );
  });

  test(`heroku addons:detach ${as} -a ${OTHER}`, async () => {
    expect(output(await cli.run("addons:detach", as, "-a", OTHER))).toMatch(/done, v\d+/);
    expect((await configVars(OTHER))[`${as}_URL`]).toBeUndefined();
  });

  test(`heroku pg:credentials:destroy ${id} --name ${name} --confirm ${APP} -a ${APP}`, async () => {
    const r = await cli.run("pg:credentials:destroy", id, "--name", name, "--confirm", APP, "-a", APP);
    expect(output(r)).toContain(`The credential has been destroyed within ${FIRST}`);
  });
});

// Dev Center's "Encrypting Heroku Postgres with Your Encryption Key", "Migrate a Heroku Postgres database to one
// using an encryption key", command by command, on an app of its own (Frankfurt: the key is in eu-central-1).
describe("the BYOK migration: a follower with the key, maintenance, promote, unfollow; then a plan change", () => {
  const EU = ACME_EU_APP;
  let leader: string;
  let follower: string;
  let euKey: string;

  test(`heroku addons:create heroku-postgresql:private-0 --wait -a ${EU} (the existing database, with rows)`, async () => {
    const out = await cli.ok("addons:create", "heroku-postgresql:private-0", "--wait", "-a", EU);
    leader = /(postgresql-[a-z]+-\d+)/.exec(out)![1]!;
    const url = (await configVars(EU)).DATABASE_URL!;
    await sql(url, "CREATE TABLE orders (id int PRIMARY KEY)");
    await sql(url, "INSERT INTO orders SELECT generate_series(1, 100)");
  });

  test(`heroku addons:create heroku-postgresql:private-0 --wait -a ${EU} -- --follow DATABASE --encryption-key ARN`, async () => {
    euKey = await createHerokuKey(s.moto.endpoint, "eu-central-1");
    const out = await cli.ok(
      "addons:create",
      "heroku-postgresql:private-0",
      "--wait",
      "-a",
      EU,
      "--",
      "--follow",
      "DATABASE",
      "--encryption-key",
      euKey,
    );
    follower = /(postgresql-[a-z]+-\d+)/.exec(out)![1]!;
    expect(out).toContain(`Created ${follower} as HEROKU_POSTGRESQL_AMBER_URL`);
    await sql((await configVars(EU)).DATABASE_URL!, "INSERT INTO orders SELECT generate_series(101, 200)");
  });

  test(`heroku pg:wait HEROKU_POSTGRESQL_AMBER -a ${EU}`, async () => {
    await cli.ok("pg:wait", "HEROKU_POSTGRESQL_AMBER", "-a", EU);
    const rows = await sql(
      (await configVars(EU)).HEROKU_POSTGRESQL_AMBER_URL!,
      "SELECT count(*)::int AS n FROM orders",
    );
    expect(rows).toEqual([{ n: 200 }]);
  });

  test(`heroku pg:info HEROKU_POSTGRESQL_AMBER -a ${EU}`, async () => {
    const out = await cli.ok("pg:info", "HEROKU_POSTGRESQL_AMBER", "-a", EU);
    // The leader's URL shown as its attachment name (resolve_db_name).
    expect(out).toMatch(/Following:\s+DATABASE/);
    expect(out).toMatch(/Behind By:\s+0 bytes/);
    expect(out).toMatch(/Fork\/Follow:\s+Unavailable on followers/);
    expect(out).toContain(euKey);
    expect(await cli.ok("pg:info", "DATABASE", "-a", EU)).toMatch(/Followers:\s+HEROKU_POSTGRESQL_AMBER/);
  });

  test(`heroku maintenance:on -a ${EU}`, async () => {
    await cli.ok("maintenance:on", "-a", EU);
    expect((await cli.ok("maintenance", "-a", EU)).trim()).toBe("on");
  });

  test(`heroku pg:promote HEROKU_POSTGRESQL_AMBER -a ${EU}`, async () => {
    const r = await cli.run("pg:promote", "HEROKU_POSTGRESQL_AMBER", "-a", EU);
    expect(r.code).toBe(0);
    // The old database keeps a name of its own; promote warns that it does not unfollow.
    expect(output(r)).toMatch(/Ensuring an alternate alias for existing DATABASE_URL\.\.\. HEROKU_POSTGRESQL_AQUA_URL/);
    expect(output(r)).toContain(`Promoting ${follower} to DATABASE_URL on ${EU}`);
    // The CLI wraps its warning; the leader is named by our info's `leader`.
    expect(output(r)).toContain("Warning: Your database has been promoted but it is currently a follower");
    expect(output(r)).toContain(`(${leader})`);
    const vars = await configVars(EU);
    expect(vars.DATABASE_URL).toBe(vars.HEROKU_POSTGRESQL_AMBER_URL);
    expect(new URL(vars.HEROKU_POSTGRESQL_AQUA_URL!).port).not.toBe(new URL(vars.DATABASE_URL!).port);
  });

  test(`heroku pg:unfollow HEROKU_POSTGRESQL_AMBER --confirm ${EU} -a ${EU}`, async () => {
    const r = await cli.run("pg:unfollow", "HEROKU_POSTGRESQL_AMBER", "--confirm", EU, "-a", EU);
    expect(r.code).toBe(0);
    expect(output(r)).toContain(`${follower} unfollowing... done`);
    await sql((await configVars(EU)).DATABASE_URL!, "INSERT INTO orders VALUES (201)");
    const again = await cli.run("pg:unfollow", "HEROKU_POSTGRESQL_AMBER", "--confirm", EU, "-a", EU);
    expect(again.code).not.toBe(0);
    expect(output(again)).toContain(`${follower} is not a follower`);
  });

  test(`heroku maintenance:off -a ${EU}`, async () => {
    await cli.ok("maintenance:off", "-a", EU);
    expect((await cli.ok("maintenance", "-a", EU)).trim()).toBe("off");
  });

  test(`heroku addons:upgrade DATABASE heroku-postgresql:private-2 -a ${EU}, then pg:wait`, async () => {
    await control(s.emulator.url, "PUT", "/speed", { "plan-change": { polls: 2 }, "plan-changeover": { polls: 2 } });
    const upgraded = await cli.run("addons:upgrade", "DATABASE", "heroku-postgresql:private-2", "-a", EU);
    expect(upgraded.code).toBe(0);
    expect(output(upgraded)).toContain(
      `Changing ${follower} on ${EU} from heroku-postgresql:private-0 to heroku-postgresql:private-2... done`,
    );
    await cli.ok("pg:wait", "DATABASE", "-a", EU);
    const rows = await sql((await configVars(EU)).DATABASE_URL!, "SELECT count(*)::int AS n FROM orders");
    expect(rows).toEqual([{ n: 201 }]);
    expect(await cli.ok("pg:info", "DATABASE", "-a", EU)).toMatch(/Plan:\s+Private 2/);
    // An unknown plan makes the CLI list GET /addon-services/{service}/plans, which the emulator does not serve
    // (501): refusals are covered by tests/emulator/plan-change.test.ts.
  });

  test(`heroku addons:destroy (both) --confirm ${EU} -a ${EU}`, async () => {
    for (const name of [leader, follower]) await cli.ok("addons:destroy", name, "--confirm", EU, "-a", EU);
  });
});

describe("tearing down", () => {
  test(`heroku addons:detach PRIMARY -a ${APP}`, async () => {
    expect(output(await cli.run("addons:detach", "PRIMARY", "-a", APP))).toMatch(/done, v\d+/);
  });

  test(`heroku addons:destroy SECOND --confirm ${APP} -a ${APP}`, async () => {
    const r = await cli.run("addons:destroy", "SECOND", "--confirm", APP, "-a", APP);
    expect(r.code).toBe(0);
    expect(output(r)).toContain(`Destroying ${second} on ${APP}`);
  });

  test(`heroku addons:destroy ${FIRST} --wait --confirm ${APP} -a ${APP}`, async () => {
    // Deprovisioning until the next read, so the CLI's --wait really polls until 404.
    await control(s.emulator.url, "PUT", "/speed", { "addon-deprovision": { polls: 1 } });
    const r = await cli.run("addons:destroy", FIRST, "--wait", "--confirm", APP, "-a", APP);
    expect(output(r)).toContain(`Waiting for ${FIRST}...`);
    expect(output(r)).toContain(`Destroying ${FIRST}... done`);
    await control(s.emulator.url, "PUT", "/speed", { "addon-deprovision": "immediate" });
    expect(await cli.ok("addons", "-a", APP)).toContain(`No add-ons for app ${APP}.`);
  });

  test(`heroku addons:destroy DATABASE --wait --confirm ${ACME_HOBBY_APP} -a ${ACME_HOBBY_APP}`, async () => {
    await cli.ok("addons:create", "heroku-postgresql:standard-0", "--wait", "-a", ACME_HOBBY_APP);
    const r = await cli.run("addons:destroy", "DATABASE", "--wait", "--confirm", ACME_HOBBY_APP, "-a", ACME_HOBBY_APP);
    // "immediate" fires at the next look, which may come before the DELETE answers (then "deprovisioned" and
    // nothing to wait for) or after it (then the CLI waits for the 404).
    expect(r.code).toBe(0);
    expect(output(r)).toMatch(new RegExp(`Destroying postgresql-[a-z]+-\\d+( on ${ACME_HOBBY_APP})?\\.\\.\\. done`));
  });
});

test("every call the CLI made was answered by an implemented route, on both APIs", async () => {
  const log = await control<Logged[]>(s.emulator.url, "GET", "/requests");
  expect(log.filter((r) => r.status === 501)).toEqual([]);
  // HEROKU_DATA_HOST reached the same port: the Data API calls are in the emulator's own log.
  expect(log.some((r) => r.path.startsWith("/postgres/v0/databases/"))).toBe(true);
  expect(log.some((r) => r.path.startsWith("/client/v11/databases/"))).toBe(true);
  expect(cli.ran.length).toBeGreaterThan(40);
});
