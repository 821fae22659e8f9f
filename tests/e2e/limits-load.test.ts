// Limits and load (issue 6): one stack at the documented maxima, 60 IP rules and 60 credentials on one database
// (the default credential counts among the 60), applied and destroyed through the real CLI while about 10% of
// all Heroku API calls fail: refused (429, 5xx, dropped) or, for some, carried out with the answer lost. Every
// check reads the emulator's own state, its request log and PostgreSQL's roles, not the stack's outputs alone.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DescribeKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { MAX_CREDENTIALS_PER_DATABASE } from "../../provider/credential/validation";
import { MAX_IP_RULES_PER_DATABASE } from "../../provider/ip-rule/validation";
import { startServices, type Services } from "../support/services";
import { runStack, type StackOptions } from "../support/pulumi";
import { createsByKind, databaseState, FAULT_STATUSES, requestLog, rolesLike, storedAddons } from "./database-state";
import { controlJson, FAST_SPEEDS, mutatingRequests, type LoggedRequest } from "./emulator-client";
import { stackOptions, testProgram } from "./fixture";

jest.setTimeout(20 * 60_000);

let services: Services;
let workDir: string;

const APP = "acme-api";
const RULES = MAX_IP_RULES_PER_DATABASE;
// Seed 002 "Limits": 60 credentials per database, and the list counts the default one, so a stack declares 59.
const CREDENTIALS = MAX_CREDENTIALS_PER_DATABASE - 1;
const CREDENTIAL_PREFIX = "load_";

const FAULT_RATE = 0.1;
// A quarter of the faults are lost answers: the emulator does the work, then fails the answer, which is what
// makes a create ambiguous. A 429 is never one of them (it promises nothing was done).
const LOST_SHARE = 0.25;
const REFUSED_RATE = FAULT_RATE * (1 - LOST_SHARE);
/** Of the calls the first fault lets through, this share loses its answer; together they fail FAULT_RATE. */
const LOST_RATE = (FAULT_RATE * LOST_SHARE) / (1 - REFUSED_RATE);
const ANY_HEROKU_CALL = "^/"; // the control API (/__emulator) is never faulted or logged

/** Faults with a `times` limit are gone from GET /faults once spent, so their firings are counted here. */
const ONE_SURE_FAULT = 1;

function faultsEverywhere(seed: number): Record<string, unknown>[] {
  return [
    { path: ANY_HEROKU_CALL, statuses: [429, 500, 502, 503, "drop"], rate: REFUSED_RATE, seed },
    { path: ANY_HEROKU_CALL, statuses: [500, 502, 503, "drop"], rate: LOST_RATE, seed: seed + 1, after: true },
  ];
}

function stack(config: Record<string, string> = {}): StackOptions {
  return stackOptions(testProgram("limits", "limits-load"), { workDir, env: services.env }, "maxima", {
    config: {
      rules: String(RULES),
      credentials: String(CREDENTIALS),
      keyAlias: "alias/limits-load",
      ...config,
    },
  });
}

/** What the program declares (tests/e2e/programs/limits.ts): the loopback block, then 10.a.b.0/24 blocks. */
function declaredCidrs(count: number): string[] {
  const list = ["127.0.0.1/32"];
  for (let i = 1; list.length < count; i++) list.push(`10.${Math.floor(i / 250)}.${i % 250}.0/24`);
  return list;
}
const credentialName = (i: number): string => `${CREDENTIAL_PREFIX}${String(i).padStart(2, "0")}`;
const declaredCredentials = (count: number): string[] => Array.from({ length: count }, (_, i) => credentialName(i + 1));

/** The faults that fired on a log, and a readable tally for failure messages. */
function injected(log: LoggedRequest[]): LoggedRequest[] {
  return log.filter((r) => r.handled !== undefined || FAULT_STATUSES.has(r.status));
}

const isDataApi = (r: LoggedRequest): boolean => /^\/(postgres\/v0|client\/v11)\//.test(r.path);

async function firedCount(): Promise<number> {
  const faults = await controlJson<{ fired: number }[]>(services, "GET", "/faults");
  return faults.reduce((n, f) => n + f.fired, 0);
}

/** Faults land on every kind of call the run made: each method it used, on both APIs. */
function expectFaultsOnEveryKind(log: LoggedRequest[], methods: string[]): void {
  const faulted = injected(log);
  for (const method of methods) {
    expect({ method, data: faulted.some((r) => r.method === method && isDataApi(r)) }).toEqual({ method, data: true });
  }
  expect(faulted.some((r) => !isDataApi(r))).toBe(true);
  expect(faulted.some((r) => r.handled !== undefined)).toBe(true);
  expect(faulted.some((r) => r.handled === undefined)).toBe(true);
}

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "hps-e2e-limits-"));
  services = await startServices();
  await controlJson(services, "PUT", "/speed", FAST_SPEEDS);
});

afterAll(async () => {
  await services?.stop();
  fs.rmSync(workDir, { recursive: true, force: true });
});

describe(`${RULES} IP rules and ${CREDENTIALS} credentials + the default on one database, 10% of calls failing`, () => {
  test("up converges in one run: every declared object exactly once, nothing else", async () => {
    for (const f of faultsEverywhere(6)) await controlJson(services, "POST", "/faults", f);
    // The run makes few Platform API calls (its waits read the Data API), too few for a 10% draw to be sure to
    // hit one: one config-vars read is refused for certain.
    await controlJson(services, "POST", "/faults", {
      method: "GET",
      path: "^/apps/[^/]+/config-vars$",
      statuses: [503],
      times: ONE_SURE_FAULT,
    });
    const r = await runStack("up", stack());
    const fired = await firedCount();
    // The test's own reads of the emulator must not be faulted.
    await controlJson(services, "DELETE", "/faults");
    expect(r.error).toBeUndefined();

    const state = await databaseState(services, APP);
    expect(state.addons).toHaveLength(1);
    expect(state.mtls).toBe("Operational");
    expect(state.certificates.map((c) => c.status)).toEqual(["ready", "ready"]);
    expect(state.certificates.map((c) => c.id).sort()).toEqual(
      Object.values(r.outputs?.certificateIds as Record<string, string>).sort(),
    );
    expect(state.ipRules).toEqual(
      declaredCidrs(RULES)
        .map((c) => `${c} Authorized`)
        .sort(),
    );
    expect(state.credentials).toEqual(["default", ...declaredCredentials(CREDENTIALS)].sort());
    expect(state.credentials).toHaveLength(MAX_CREDENTIALS_PER_DATABASE);
    expect(await rolesLike(services, CREDENTIAL_PREFIX)).toEqual(declaredCredentials(CREDENTIALS));

    // The emulator carried out each create once, though some answers were lost and some calls refused.
    const log = await requestLog(services);
    expect(createsByKind(log)).toEqual({
      addons: 1,
      "tls-endpoint": 1,
      certificates: 1, // the second name's; enabling made the first
      "ip-rules": RULES,
      credentials: CREDENTIALS,
    });
    // About a tenth of the calls failed (1,000+ calls: three standard deviations are about 0.03).
    const failed = injected(log).length;
    expect(failed).toBe(fired + ONE_SURE_FAULT);
    expect(failed / log.length).toBeGreaterThan(FAULT_RATE - 0.03);
    expect(failed / log.length).toBeLessThan(FAULT_RATE + 0.03);
    expectFaultsOnEveryKind(log, ["GET", "POST"]);
  });

  test("a preview afterwards shows no change and calls nothing that changes anything", async () => {
    await controlJson(services, "DELETE", "/requests");
    const r = await runStack("preview", { ...stack(), expectNoChanges: true });
    expect(r.error).toBeUndefined();
    expect(await mutatingRequests(services)).toEqual([]);
  });

  test("a 61st rule and a 61st credential as plain resources: refused at preview and at up, nothing made", async () => {
    await controlJson(services, "DELETE", "/faults");
    // Every IpRule and Credential of a run is checked in one provider process, so a check counts the rules and
    // credentials at Heroku plus those the stack declares, and the 61st is refused before anything is made.
    const db = (await databaseState(services, APP)).addons[0] ?? "";
    const ruleLimit =
      `database ${db} would have ${RULES + 1} IP rules (${RULES} at Heroku + 1 more declared in this stack, this one ` +
      `included); Heroku Postgres allows at most ${MAX_IP_RULES_PER_DATABASE} IP rules per database`;
    const credentialLimit =
      `database ${db} would have ${MAX_CREDENTIALS_PER_DATABASE + 1} credentials (${MAX_CREDENTIALS_PER_DATABASE} at ` +
      `Heroku, the default included, + 1 more declared in this stack, this one included); Heroku Postgres allows at ` +
      `most ${MAX_CREDENTIALS_PER_DATABASE} credentials per database`;
    await controlJson(services, "DELETE", "/requests");
    const rulePreview = await runStack("preview", stack({ rules: String(RULES + 1) }));
    expect(rulePreview.error).toContain(
      `IpRule resource 'limits-rule-${declaredCidrs(RULES + 1)[RULES]!.replace(/[./]/g, "-")}' has a problem: ${ruleLimit}`,
    );
    const credentialPreview = await runStack("preview", stack({ credentials: String(CREDENTIALS + 1) }));
    expect(credentialPreview.error).toContain(credentialLimit);
    // The same checks run at up, before the first call that changes anything.
    const rule = await runStack("up", stack({ rules: String(RULES + 1) }));
    expect(rule.error).toContain(ruleLimit);
    const credential = await runStack("up", stack({ credentials: String(CREDENTIALS + 1) }));
    expect(credential.error).toContain(credentialLimit);
    expect(await mutatingRequests(services)).toEqual([]);
    const state = await databaseState(services, APP);
    expect(state.ipRules).toHaveLength(RULES);
    expect(state.credentials).toHaveLength(MAX_CREDENTIALS_PER_DATABASE);
  });

  test("destroy, 10% of calls failing, leaves nothing: no add-on, database, role, attachment or key in use", async () => {
    const db = (await databaseState(services, APP)).addons[0] ?? "";
    const r0 = await runStack("export", stack());
    const keyArn = (r0.deployment?.deployment.resources ?? []).find((x) => x.type.endsWith("CustomerKey"))?.outputs
      ?.arn as string;
    await controlJson(services, "DELETE", "/requests");
    for (const f of faultsEverywhere(60)) await controlJson(services, "POST", "/faults", f);
    // As in up: the credentials' deletes share one attachment list per database, so one such read is refused
    // for certain.
    await controlJson(services, "POST", "/faults", {
      method: "GET",
      path: "^/addons/[^/]+/addon-attachments$",
      statuses: [503],
      times: ONE_SURE_FAULT,
    });
    const r = await runStack("destroy", stack());
    const fired = await firedCount();
    await controlJson(services, "DELETE", "/faults");
    expect(r.error).toBeUndefined();

    expect(await databaseState(services, APP)).toEqual(
      expect.objectContaining({ addons: [], credentials: [], ipRules: [], certificates: [] }),
    );
    expect((await storedAddons(services)).filter((a) => a.name === db)).toEqual([]);
    expect(await rolesLike(services, CREDENTIAL_PREFIX)).toEqual([]);
    const kms = new KMSClient({
      region: "us-east-1",
      endpoint: services.env.AWS_ENDPOINT_URL_KMS,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    const key = await kms.send(new DescribeKeyCommand({ KeyId: keyArn }));
    expect(key.KeyMetadata?.KeyState).toBe("PendingDeletion");

    const log = await requestLog(services);
    expect(injected(log)).toHaveLength(fired + ONE_SURE_FAULT);
    expect(fired).toBeGreaterThan(0);
    expectFaultsOnEveryKind(log, ["GET", "DELETE"]);
  });
});
