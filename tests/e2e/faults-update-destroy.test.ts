// Faults on the calls an update and a destroy make (issue 6), through the real CLI: certificate names added and
// removed, a credential's permissions, attachments and password rotation changed, then everything destroyed,
// while those calls are refused (5xx, dropped) or carried out with their answer lost. The result must converge
// with nothing made twice and nothing left behind (the emulator's state and PostgreSQL's roles), and when a call
// keeps failing past the client's bound, the error must say what happened and what to do.
import { type Services } from "../support/services";
import { runStack, type StackOptions, type StackResult } from "../support/pulumi";
import { databaseState, requestLog, rolesLike, storedAddons } from "./database-state";
import { addFaults, controlJson, type LoggedRequest, startOver } from "./emulator-client";
import { stackOptions, testProgram, setUpE2e, tearDownE2e } from "./fixture";

jest.setTimeout(15 * 60_000);

let services: Services;
let workDir: string;

const APP = "acme-api";
const REPORTS_APP = "acme-reports";
/** DEFAULT_CLIENT_OPTIONS.maxRetries is 5: one call makes at most six attempts. */
const MAX_ATTEMPTS = 6;
const DB = "/postgres/v0/databases/[^/]+";
const CERTIFICATE = `^${DB}/tls-endpoint/certificates/[^/]+$`;
const IP_RULE = `^${DB}/tls-endpoint/ip-rules/[^/]+$`;
const ROTATION = `^${DB}/credentials/[^/]+/credentials_rotation$`;

/** Two rules (the loopback one first) and two credentials: every kind of object, small enough to run often. */
function small(config: Record<string, string> = {}): StackOptions {
  return stackOptions(testProgram("limits", "faults-update-destroy"), { workDir, env: services.env }, "small", {
    config: { rules: "2", credentials: "2", keyAlias: "alias/faults-update-destroy", ...config },
  });
}

const CHANGED = { certificates: "app,bi", permissions: "read-write", attachTo: REPORTS_APP, rotation: "r1" };

/** Faults still waiting to fire; clears them all so the test's own reads are not faulted. */
async function unfiredFaults(): Promise<unknown[]> {
  const left = await controlJson<unknown[]>(services, "GET", "/faults");
  await controlJson(services, "DELETE", "/faults");
  return left;
}

const calls = (log: LoggedRequest[], method: string, pathRe: string): LoggedRequest[] =>
  log.filter((r) => r.method === method && new RegExp(pathRe).test(r.path));
/** Calls the emulator carried out, whether or not the client heard of it. */
const done = (rs: LoggedRequest[]): LoggedRequest[] => rs.filter((r) => (r.handled ?? r.status) < 300);

function certificateIds(r: StackResult): Record<string, string> {
  return r.outputs?.certificateIds as Record<string, string>;
}

async function credentialOutputs(): Promise<Record<string, unknown>[]> {
  const exported = await runStack("export", small());
  return (exported.deployment?.deployment.resources ?? [])
    .filter((x) => x.type.endsWith(":Credential"))
    .map((x) => x.outputs ?? {});
}

beforeAll(async () => ({ services, workDir } = await setUpE2e("faults-update")));
afterAll(() => tearDownE2e(services, workDir));

describe("faults on update calls", () => {
  test("lost answers and refusals on the update's calls: one up converges, nothing made twice or left over", async () => {
    await startOver(services);
    const first = await runStack("up", small());
    expect(first.error).toBeUndefined();
    const before = await databaseState(services, APP);
    const { app: appCertificate, ci: ciCertificate } = certificateIds(first);

    await controlJson(services, "DELETE", "/requests");
    await addFaults(services, [
      // carried out, answer lost: the provider must find what it made instead of making it again
      { method: "POST", path: `^${DB}/tls-endpoint/certificates$`, status: 503, after: true },
      { method: "DELETE", path: CERTIFICATE, drop: true, after: true },
      { method: "POST", path: "^/addon-attachments$", status: 502, after: true },
      { method: "POST", path: ROTATION, status: 500, after: true },
      // refused: repeated by the client, since reads and deletes are idempotent
      { method: "GET", path: CERTIFICATE, drop: true, times: 2 },
      { method: "GET", path: "^/addons/[^/]+/addon-attachments$", status: 429, retryAfter: 1, times: 2 },
      { method: "GET", path: `^${DB}/credentials/[^/]+$`, status: 503, times: 2 },
    ]);
    const r = await runStack("up", small(CHANGED));
    expect(await unfiredFaults()).toEqual([]);
    expect(r.error).toBeUndefined();

    const after = await databaseState(services, APP);
    const ids = certificateIds(r);
    // "app" kept its certificate, "ci"'s was revoked, "bi" got exactly one.
    expect(ids.app).toBe(appCertificate);
    expect(Object.keys(ids).sort()).toEqual(["app", "bi"]);
    expect(after.certificates.map((c) => c.id).sort()).toEqual([ids.app, ids.bi].sort());
    expect(after.certificates.map((c) => c.id)).not.toContain(ciCertificate);
    expect(after.credentialAttachments).toEqual([`${REPORTS_APP} credential:load_01`]);
    expect(after.ipRules).toEqual(before.ipRules);
    expect(after.credentials).toEqual(before.credentials);

    const log = await requestLog(services);
    expect(done(calls(log, "POST", `^${DB}/tls-endpoint/certificates$`))).toHaveLength(1);
    expect(done(calls(log, "POST", "^/addon-attachments$"))).toHaveLength(1);
    // Each credential rotated; a forced rotation whose answer was lost may be repeated (harmless), no more.
    const rotations = done(calls(log, "POST", ROTATION)).map((x) => x.path.split("/")[6]);
    expect([...new Set(rotations)].sort()).toEqual(["load_01", "load_02"]);
    expect(rotations.length).toBeLessThanOrEqual(3);
    for (const c of await credentialOutputs()) expect(c.effectivePermissions).toEqual({ public: "read-write" });
  });

  test("detaching with lost answers: the attachment is gone once, and a certificate delete that never succeeds stops up with what to do", async () => {
    await controlJson(services, "DELETE", "/requests");
    await addFaults(services, [{ method: "DELETE", path: "^/addon-attachments/[^/]+$", status: 503, after: true }]);
    const detached = { ...CHANGED, attachTo: "" };
    const r = await runStack("up", small(detached));
    expect(await unfiredFaults()).toEqual([]);
    expect(r.error).toBeUndefined();
    expect((await databaseState(services, APP)).credentialAttachments).toEqual([]);

    // Removing "bi" while every DELETE of a certificate fails: six attempts, then an error that says what happened
    // and what to do; the certificate and the name stay, so nothing is orphaned.
    const bi = certificateIds(r).bi;
    await addFaults(services, [{ method: "DELETE", path: CERTIFICATE, status: 503, times: 1000 }]);
    const failed = await runStack("up", small({ ...detached, certificates: "app" }));
    await unfiredFaults();
    expect(failed.error).toMatch(
      /updating MtlsConfig on database postgresql-\S+: Heroku Data API DELETE \/postgres\/v0\/databases\/\S+\/tls-endpoint\/certificates\/\S+ still failed after 6 attempts \(last: 503 [^)]*\)\. Heroku is rate limiting this account or is degraded \(https:\/\/status\.heroku\.com\); wait a few minutes and run the command again/,
    );
    expect(calls(await requestLog(services), "DELETE", CERTIFICATE).map((x) => x.status)).toEqual(
      Array<number>(MAX_ATTEMPTS).fill(503),
    );
    expect((await databaseState(services, APP)).certificates.map((c) => c.id)).toContain(bi);

    const again = await runStack("up", small({ ...detached, certificates: "app" }));
    expect(again.error).toBeUndefined();
    expect(Object.keys(certificateIds(again))).toEqual(["app"]);
    expect((await databaseState(services, APP)).certificates.map((c) => c.id)).toEqual([certificateIds(again).app]);
  });
});

describe("faults on destroy calls", () => {
  test("an IP rule delete that never succeeds stops destroy with what to do and keeps the rule in state; the next destroy finishes", async () => {
    await controlJson(services, "DELETE", "/requests");
    await addFaults(services, [{ method: "DELETE", path: IP_RULE, status: 502, times: 1000 }]);
    const failed = await runStack("destroy", small());
    await unfiredFaults();
    expect(failed.error).toMatch(
      /deleting IpRule \S+ on database postgresql-\S+: Heroku Data API DELETE \/postgres\/v0\/databases\/\S+\/tls-endpoint\/ip-rules\/\S+ still failed after 6 attempts \(last: 502 [^)]*\)\. Heroku is rate limiting this account or is degraded \(https:\/\/status\.heroku\.com\); wait a few minutes and run the command again/,
    );
    // Nothing was forgotten: the rules Heroku still has are still in the stack, and the database is still there.
    const state = await databaseState(services, APP);
    expect(state.addons).toHaveLength(1);
    const exported = await runStack("export", small());
    const inStack = (exported.deployment?.deployment.resources ?? [])
      .filter((x) => x.type.endsWith(":IpRule"))
      .map((x) => `${String(x.outputs?.cidr)} Authorized`)
      .sort();
    expect(state.ipRules.length).toBeGreaterThan(0);
    expect(inStack).toEqual(state.ipRules);
  });

  test("lost answers and refusals on every delete: destroy finishes in one run and leaves nothing", async () => {
    const db = (await databaseState(services, APP)).addons[0] ?? "";
    await controlJson(services, "DELETE", "/requests");
    await addFaults(services, [
      { method: "DELETE", path: "^/", statuses: [500, 502, 503, "drop"], rate: 0.5, seed: 11, after: true },
      { method: "DELETE", path: "^/", statuses: [500, 503, "drop"], rate: 0.2, seed: 12 },
      { method: "GET", path: "^/", statuses: [429, 502, "drop"], rate: 0.1, seed: 13 },
    ]);
    const r = await runStack("destroy", small());
    await unfiredFaults();
    expect(r.error).toBeUndefined();

    expect((await databaseState(services, APP)).addons).toEqual([]);
    expect((await storedAddons(services)).filter((a) => a.name === db)).toEqual([]);
    expect(await rolesLike(services, "load_")).toEqual([]);
    const log = await requestLog(services);
    // Some deletes were carried out with the answer lost; each was sent again until Heroku answered (404 "gone",
    // or the object's own "already going" answer), never given up on.
    const lost = log.filter((x) => x.method === "DELETE" && x.handled !== undefined);
    expect(lost.length).toBeGreaterThan(0);
    for (const x of lost) {
      const later = log.slice(log.indexOf(x) + 1).filter((y) => y.method === "DELETE" && y.path === x.path);
      expect({
        path: x.path,
        answered: later.some((y) => y.handled === undefined && y.status < 500 && y.status > 0),
      }).toEqual({
        path: x.path,
        answered: true,
      });
    }
  });
});
