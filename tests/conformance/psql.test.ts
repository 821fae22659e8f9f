// The emulator's databases against psql (libpq, PostgreSQL's own client), used the way Heroku's docs use it: with
// the URL from the app's config vars as it is, and with a credential's URL from the Data API. Each test is named
// after what it runs.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { api, control, pollUntil, provisioned } from "../emulator/helpers";
import { ACME_HOBBY_APP, ACME_PRIVATE_APP, startServices, type Services } from "../support/services";

jest.setTimeout(120_000);

let s: Services;
let home: string;
let plainUrl: string;
let enhancedUrl: string;
let addonName: string;

interface Psql {
  code: number;
  out: string;
}

/** psql with no settings of the machine's user: a fresh HOME, so no ~/.pgpass or ~/.postgresql files. */
function psql(url: string, sql = "select current_user"): Promise<Psql> {
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, PGCONNECT_TIMEOUT: "10" };
  return new Promise((resolve) => {
    execFile("psql", [url, "-At", "-c", sql], { env, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? 1 : 0, out: `${stdout}${stderr}`.trim() });
    });
  });
}

const userOf = (url: string): string => decodeURIComponent(new URL(url).username);
const withQuery = (url: string, query: string): string => url.replace(/\?.*$/, `?${query}`);

beforeAll(async () => {
  s = await startServices();
  home = fs.mkdtempSync(path.join(os.tmpdir(), "hps-psql-home-"));
  await control(s.emulator.url, "PUT", "/speed", {
    "addon-provision": "immediate",
    "enhanced-certificates": "immediate",
    credential: "immediate",
  });
  const plain = await provisioned(s.emulator.url, ACME_PRIVATE_APP, { plan: "heroku-postgresql:private-0" });
  plainUrl = plain.vars.DATABASE_URL!;
  addonName = plain.addon.name;
  const enhanced = await provisioned(s.emulator.url, ACME_HOBBY_APP, {
    plan: "heroku-postgresql:standard-0",
    config: { "enhanced-certificates-beta": true },
  });
  enhancedUrl = enhanced.vars.DATABASE_URL!;
});

afterAll(async () => {
  if (home) fs.rmSync(home, { recursive: true, force: true });
  await s?.stop();
});

test('psql "$DATABASE_URL" -c "select current_user" (sslmode=require)', async () => {
  expect(plainUrl).toMatch(/\?sslmode=require$/);
  expect(await psql(plainUrl)).toEqual({ code: 0, out: userOf(plainUrl) });
});

test('psql "$DATABASE_URL" -c "select ssl from pg_stat_ssl ..." (the session is encrypted)', async () => {
  const r = await psql(plainUrl, "select ssl from pg_stat_ssl where pid = pg_backend_pid()");
  expect(r).toEqual({ code: 0, out: "t" });
});

test("psql with sslmode=disable is refused (every connection needs TLS)", async () => {
  const r = await psql(withQuery(plainUrl, "sslmode=disable"));
  expect(r.code).not.toBe(0);
  expect(r.out).toMatch(/no pg_hba\.conf entry|SSL off/);
});

test("psql with a wrong password is refused", async () => {
  const u = new URL(plainUrl);
  u.password = "x".repeat(65);
  const r = await psql(u.toString());
  expect(r.code).not.toBe(0);
  expect(r.out).toContain("password authentication failed");
});

test('psql "$DATABASE_URL" with Enhanced Certificates (sslmode=verify-full, sslrootcert)', async () => {
  expect(enhancedUrl).toMatch(/@localhost:\d+\/.*sslmode=verify-full&sslrootcert=/);
  expect(await psql(enhancedUrl)).toEqual({ code: 0, out: userOf(enhancedUrl) });
});

test("psql with verify-full to 127.0.0.1 fails: the certificate names localhost", async () => {
  const r = await psql(enhancedUrl.replace("@localhost:", "@127.0.0.1:"));
  expect(r.code).not.toBe(0);
  expect(r.out).toMatch(/does not match host name|server certificate/);
});

test("psql with verify-full and no sslrootcert fails: the public root is not in libpq's default store", async () => {
  const r = await psql(enhancedUrl.replace(/&sslrootcert=.*$/, ""));
  expect(r.code).not.toBe(0);
});

test("psql with a credential's URL (pg:credentials:url), then refused after a forced rotation", async () => {
  const base = s.emulator.url;
  const creds = `/postgres/v0/databases/${addonName}/credentials`;
  expect((await api(base, "POST", creds, { body: { name: "reporting" } })).status).toBe(201);
  interface Cred {
    state: string;
    host: string;
    port: number;
    database: string;
    credentials: { user: string; password: string; state: string }[];
  }
  const c = await pollUntil(
    async () => (await api<Cred>(base, "GET", `${creds}/reporting`)).json,
    (x) => x.state === "active",
  );
  const login = c.credentials.find((u) => u.state === "active")!;
  // The URL the CLI's pg:credentials:url prints, with the TLS mode the config var carries.
  const url = `postgres://${login.user}:${login.password}@${c.host}:${c.port}/${c.database}?sslmode=require`;
  expect(await psql(url)).toEqual({ code: 0, out: "reporting" });

  await api(base, "POST", `${creds}/reporting/credentials_rotation`, { body: { forced: true } });
  const r = await psql(url);
  expect(r.code).not.toBe(0);
  expect(r.out).toContain("password authentication failed");
});
