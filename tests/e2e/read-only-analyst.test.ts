// examples/read-only-analyst through the real Pulumi CLI: permission levels really apply, the app's config var
// connects as the credential, rotation with and without force, an out-of-band GRANT on refresh, destroy leaves
// no role and no attachment, and the stack export holds no password.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { startServices, type Services } from "../support/services";
import { libpqUrl } from "../support/pg";
import { runStack, type StackOptions } from "../support/pulumi";
import { allRoles } from "./database-state";
import { controlJson, herokuJson } from "./emulator-client";
import { stackOptions, PROGRAMS } from "./fixture";

jest.setTimeout(10 * 60_000);

let services: Services;
let workDir: string;

function options(config: Record<string, string> = {}, extra: Partial<StackOptions> = {}): StackOptions {
  return stackOptions(PROGRAMS.readOnlyAnalyst, { workDir, env: services.env }, "main", {
    // Stack config persists between runs, so every run states all of it.
    config: { credentials: "true", rotation: "q1", forceRotation: "false", ...config },
    ...extra,
  });
}

async function open(url: string): Promise<Client> {
  const client = new Client({ connectionString: libpqUrl(url), connectionTimeoutMillis: 5000 });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

async function sql<T = Record<string, unknown>>(url: string, text: string): Promise<T[]> {
  const c = await open(url);
  try {
    return (await c.query(text)).rows as T[];
  } finally {
    await c.end();
  }
}

const appVars = (app: string): Promise<Record<string, string>> =>
  herokuJson<Record<string, string>>(services, "GET", `/apps/${app}/config-vars`);

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "hps-e2e-analyst-"));
  services = await startServices();
  await controlJson(services, "PUT", "/speed", { "addon-provision": "immediate", credential: "immediate" });
});

afterAll(async () => {
  await services?.stop();
  fs.rmSync(workDir, { recursive: true, force: true });
});

describe("read-only-analyst example", () => {
  let ownerUrl = "";
  let addonName = "";
  let outputs: Record<string, unknown> = {};
  const passwords: string[] = [];
  const rotation = { rotation: "q1" };

  test("up with the database, a table, then up with the credentials", async () => {
    const first = await runStack("up", options({ credentials: "false" }, { showSecrets: true }));
    expect(first.error).toBeUndefined();
    ownerUrl = String(first.outputs?.ownerUrl);
    addonName = String(first.outputs?.addonName);
    await sql(ownerUrl, "create table existing (id serial primary key, v text); insert into existing (v) values ('a')");

    const r = await runStack("up", options(rotation, { showSecrets: true }));
    expect(r.error).toBeUndefined();
    expect(r.summary?.create).toBe(3);
    outputs = r.outputs ?? {};
    expect(outputs.analystUser).toBe("analyst");
    for (const key of ["analystUrl", "reporterUrl", "auditorUrl"]) {
      const password = new URL(String(outputs[key])).password;
      expect(password).toMatch(/^[A-Za-z0-9]{65}$/);
      passwords.push(password);
      expect(r.log).not.toContain(password);
    }
  });

  test("levels: read-only reads existing and later tables only; read-write writes and uses sequences; none reads nothing", async () => {
    await sql(ownerUrl, "create table later (x int); insert into later values (7)");
    const analyst = String(outputs.analystUrl);
    expect(await sql(analyst, "select v from existing")).toEqual([{ v: "a" }]);
    expect(await sql(analyst, "select x from later")).toEqual([{ x: 7 }]);
    await expect(sql(analyst, "insert into existing (v) values ('no')")).rejects.toThrow(/permission denied/);
    await expect(sql(analyst, "create table nope (x int)")).rejects.toThrow(/permission denied/);

    const reporter = String(outputs.reporterUrl);
    await sql(reporter, "insert into existing (v) values ('b')");
    await sql(reporter, "delete from existing where v = 'b'");
    expect(await sql(reporter, "select nextval('existing_id_seq') > 0 as ok")).toEqual([{ ok: true }]);

    await expect(sql(String(outputs.auditorUrl), "select 1 from existing")).rejects.toThrow(/permission denied/);

    const vars = await appVars("acme-reports");
    expect(await sql(vars.ANALYST_DB_URL!, "select current_user as u")).toEqual([{ u: "analyst" }]);
    expect(await sql(vars.REPORTER_DB_URL!, "select current_user as u")).toEqual([{ u: "reporter" }]);
  });

  test("preview and up after up change nothing", async () => {
    const preview = await runStack("preview", options(rotation, { expectNoChanges: true }));
    expect(preview.error).toBeUndefined();
    const up = await runStack("up", options(rotation, { expectNoChanges: true }));
    expect(up.error).toBeUndefined();
  });

  test("a forced rotation shows as an update; after up the old password is refused at once, the app's var works", async () => {
    const config = { rotation: "q2", forceRotation: "true" };
    const preview = await runStack("preview", options(config));
    expect(preview.error).toBeUndefined();
    expect(preview.changeSummary?.update).toBe(2);
    expect(preview.changeSummary?.replace ?? 0).toBe(0);
    const old = String(outputs.analystUrl);
    const held = await open(old);
    const up = await runStack("up", options(config, { showSecrets: true }));
    expect(up.error).toBeUndefined();
    await expect(held.query("select 1")).rejects.toThrow();
    await expect(open(old)).rejects.toThrow(/password authentication failed/);
    outputs = up.outputs ?? {};
    passwords.push(new URL(String(outputs.analystUrl)).password);
    expect(await sql((await appVars("acme-reports")).ANALYST_DB_URL!, "select current_user as u")).toEqual([
      { u: "analyst" },
    ]);
  });

  test("a rotation without force keeps the open connection through up until the grace ends", async () => {
    await controlJson(services, "PUT", "/credentials", { rotationGraceSeconds: 3 });
    const old = String(outputs.analystUrl);
    const held = await open(old);
    const up = await runStack("up", options({ rotation: "q3", forceRotation: "false" }, { showSecrets: true }));
    expect(up.error).toBeUndefined();
    expect(up.summary?.update).toBe(2);
    // up waited for the rotation: the grace (3 s) ended it, and the held connection with it.
    await expect(held.query("select 1")).rejects.toThrow();
    await expect(open(old)).rejects.toThrow(/password authentication failed/);
    outputs = up.outputs ?? {};
    passwords.push(new URL(String(outputs.analystUrl)).password);
    expect(outputs.analystUser).toBe("analyst");
    const appUrl = (await appVars("acme-reports")).ANALYST_DB_URL!;
    expect(await sql(appUrl, "select current_user as u")).toEqual([{ u: "analyst" }]);
    expect(await sql(String(outputs.analystUrl), "select v from existing")).toEqual([{ v: "a" }]);
  });

  test("an out-of-band GRANT shows on refresh and up puts the level back", async () => {
    await sql(ownerUrl, "grant insert on existing to analyst");
    const refresh = await runStack("refresh", options({ rotation: "q3", forceRotation: "false" }));
    expect(refresh.error).toBeUndefined();
    expect(refresh.summary?.update).toBe(1);
    const up = await runStack("up", options({ rotation: "q3", forceRotation: "false" }));
    expect(up.error).toBeUndefined();
    expect(up.summary?.update).toBe(1);
    await expect(sql(String(outputs.analystUrl), "insert into existing (v) values ('x')")).rejects.toThrow(
      /permission denied/,
    );
  });

  test("the stack export holds no plaintext password", async () => {
    const exported = await runStack("export", options());
    const text = JSON.stringify(exported.deployment);
    expect(passwords.length).toBeGreaterThanOrEqual(5);
    for (const p of passwords) expect(text).not.toContain(p);
    expect(text).toContain("ciphertext");
  });

  test("destroy leaves no role and no attachment", async () => {
    const r = await runStack("destroy", options());
    expect(r.error).toBeUndefined();
    const roles = (await allRoles(services)).filter(
      (r) => ["analyst", "reporter", "auditor"].includes(r) || r.endsWith("-rotating"),
    );
    expect(roles).toEqual([]);
    const attachments = await herokuJson<{ namespace: string | null }[]>(services, "GET", "/addon-attachments");
    expect(attachments.filter((a) => a.namespace !== null)).toEqual([]);
    expect(Object.keys(await appVars("acme-reports"))).toEqual([]);
    const addons = await herokuJson<{ name: string }[]>(services, "GET", "/apps/acme-api/addons");
    expect(addons.map((a) => a.name)).not.toContain(addonName);
  });
});
