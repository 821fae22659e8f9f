// State survives a restart: add-ons, attachments, config vars, speeds, the databases themselves, add-ons that
// were still provisioning continue where they were, and followers stream from their leader again.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator/index";
import { startMoto, type RunningMoto } from "../support/moto";
import { api, control, pollUntil, provisioned, sql, whoAmI, type AddonJson } from "./helpers";

jest.setTimeout(180_000);
let moto: RunningMoto;
let stateDir: string;
let emulator: RunningEmulator | undefined;

beforeAll(async () => {
  moto = await startMoto();
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "hps-emulator-restart-"));
});
afterAll(async () => {
  await emulator?.stop();
  await moto?.stop();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

test("a restarted emulator keeps its state and finishes provisioning", async () => {
  emulator = await startEmulator({ stateDir, kmsEndpoint: moto.endpoint });
  let base = emulator.url;
  await control(base, "PUT", "/speed", { "addon-provision": "immediate" });
  const { addon: ready, vars } = await provisioned(base, "acme-api", { plan: "heroku-postgresql:private-0" });
  await api(base, "PATCH", "/apps/acme-api/config-vars", { body: { GREETING: "hello" } });
  await control(base, "PUT", "/speed", { "addon-provision": { ms: 3_600_000 } });
  const pending = await api<AddonJson>(base, "POST", "/apps/acme-reports/addons", {
    body: { plan: "heroku-postgresql:private-0" },
  });
  expect(pending.json.state).toBe("provisioning");

  const stateFile = path.join(stateDir, "state.json");
  expect(fs.statSync(stateFile).mode & 0o777).toBe(0o600);
  await emulator.stop();
  emulator = undefined;

  emulator = await startEmulator({ stateDir, kmsEndpoint: moto.endpoint });
  base = emulator.url;
  const again = await api<AddonJson>(base, "GET", `/addons/${ready.id}`);
  expect(again.json).toMatchObject({ name: ready.name, state: "provisioned", config_vars: ["DATABASE_URL"] });
  const varsAfter = (await api<Record<string, string>>(base, "GET", "/apps/acme-api/config-vars")).json;
  expect(varsAfter.GREETING).toBe("hello");
  // The same URL: the database's front door listens again on its stored port (its cluster's own port is new).
  expect(varsAfter.DATABASE_URL).toBe(vars.DATABASE_URL);
  expect((await whoAmI(varsAfter.DATABASE_URL!)).ssl).toBe(true);

  expect((await control<Record<string, unknown>>(base, "GET", "/speed"))["addon-provision"]).toEqual({ ms: 3_600_000 });
  expect((await api<AddonJson>(base, "GET", `/addons/${pending.json.id}`)).json.state).toBe("provisioning");
  await control(base, "POST", "/clock", { advanceSeconds: 3600 });
  expect((await api<AddonJson>(base, "GET", `/addons/${pending.json.id}`)).json.state).toBe("provisioned");
});

test("reset drops every database and returns to the seed", async () => {
  const base = emulator!.url;
  const state = await control<{ addons: { name: string; db: { password: string } }[] }>(base, "GET", "/state");
  expect(state.addons.length).toBe(2);
  expect(state.addons.every((a) => a.db.password === "[redacted]")).toBe(true);
  const vars = (await api<Record<string, string>>(base, "GET", "/apps/acme-api/config-vars")).json;
  await control(base, "POST", "/reset");
  expect((await api<unknown[]>(base, "GET", "/addons")).json).toEqual([]);
  await expect(whoAmI(vars.DATABASE_URL!)).rejects.toThrow();
  expect((await control<Record<string, unknown>>(base, "GET", "/speed"))["addon-provision"]).toEqual({ ms: 1500 });
});

test("speeds given at start (--speeds heroku --speed-factor) replace the stored ones and survive a reset", async () => {
  await emulator?.stop();
  emulator = await startEmulator({ stateDir, kmsEndpoint: moto.endpoint, speeds: { preset: "heroku", factor: 0.01 } });
  const base = emulator.url;
  const expected = { "addon-provision": { ms: 3000 }, mtls: { ms: 4500 }, "ip-rule": { ms: 1800 } };
  expect(await control(base, "GET", "/speed")).toMatchObject(expected);
  await control(base, "PUT", "/speed", { mtls: "immediate" });
  await control(base, "POST", "/reset");
  expect(await control(base, "GET", "/speed")).toMatchObject(expected);
});

test("a state dir from the emulator that shared one cluster between databases is refused with what to do", async () => {
  const old = fs.mkdtempSync(path.join(os.tmpdir(), "hps-emulator-old-"));
  try {
    fs.mkdirSync(path.join(old, "pg"));
    fs.writeFileSync(path.join(old, "pg", "PG_VERSION"), "15\n");
    await expect(startEmulator({ stateDir: old, kmsEndpoint: moto.endpoint })).rejects.toThrow(
      /ran one PostgreSQL cluster for every database; delete it to start over/,
    );
  } finally {
    fs.rmSync(old, { recursive: true, force: true });
  }
});

test("a follower streams from its leader again after a restart, through its slot", async () => {
  let base = emulator!.url;
  await control(base, "POST", "/reset");
  await control(base, "PUT", "/speed", { "addon-provision": "immediate" });
  const { vars } = await provisioned(base, "acme-api", { plan: "heroku-postgresql:private-0" });
  const leaderUrl = vars.DATABASE_URL!;
  await sql(leaderUrl, "CREATE TABLE orders (id int)");
  const { addon: follower, vars: after } = await provisioned(base, "acme-api", {
    plan: "heroku-postgresql:private-0",
    config: { follow: "DATABASE" },
  });
  const followerUrl = after[follower.config_vars[0]!]!;
  await emulator!.stop();
  emulator = await startEmulator({ stateDir, kmsEndpoint: moto.endpoint });
  base = emulator.url;

  // Written after the restart (the leader's cluster is on a new port): the follower finds it and catches up.
  await sql(leaderUrl, "INSERT INTO orders SELECT generate_series(1, 50)");
  await pollUntil(
    async () =>
      (await api<{ "waiting?": boolean }>(base, "GET", `/client/v11/databases/${follower.id}/wait_status`)).json,
    (w) => !w["waiting?"],
  );
  expect(await sql(followerUrl, "SELECT count(*)::int AS n FROM orders")).toEqual([{ n: 50 }]);
  await expect(sql(followerUrl, "INSERT INTO orders VALUES (0)")).rejects.toThrow(/read-only/);
  expect((await api(base, "PUT", `/client/v11/databases/${follower.id}/unfollow`)).status).toBe(200);
  await sql(followerUrl, "INSERT INTO orders VALUES (0)");
});
