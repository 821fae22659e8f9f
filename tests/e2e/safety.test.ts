// A green `up` never destroys what the stack still declares (issue 11), through the real CLI: each edit a user
// makes to a deployed stack (renames without aliases, `pulumi up --replace`, a database named by id instead of
// name, another AWS_REGION, a key dropped from the program) is applied, and Heroku's and KMS's own state is read
// afterwards: the declared objects exist and work, or the run failed with nothing destroyed.
import * as path from "node:path";
import { DescribeKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { runStack, startStack, type StackOptions, type StackResult } from "../support/pulumi";
import { e2eFixture, stackOptions, testProgram } from "./fixture";
import { controlJson, herokuJson, mutatingRequests, requestLog, startOver } from "./emulator-client";

jest.setTimeout(30 * 60_000);

const fixture = e2eFixture("safety");

function stack(config: Record<string, string> = {}, extra: Partial<StackOptions> = {}): StackOptions {
  return stackOptions(testProgram("safety", "hps-safety"), { workDir: fixture.workDir, env: fixture.s.env }, "safety", {
    config: { keyAlias: "alias/safety", ...config },
    resetConfig: true,
    ...extra,
  });
}

interface Snapshot {
  addonIds: string[];
  mtls: string | undefined;
  rules: Record<string, string>;
  credential: { uuid: string; state: string } | undefined;
  configVar: boolean;
}

/** What Heroku holds for acme-api's database, read through its own API. */
async function snapshot(): Promise<Snapshot> {
  const addons = (
    await herokuJson<{ id: string; name: string; addon_service: { name: string } }[]>(
      fixture.s,
      "GET",
      "/apps/acme-api/addons",
    )
  ).filter((a) => a.addon_service.name === "heroku-postgresql");
  const [db] = addons;
  const vars = await herokuJson<Record<string, string>>(fixture.s, "GET", "/apps/acme-reports/config-vars");
  const out: Snapshot = {
    addonIds: addons.map((a) => a.id),
    mtls: undefined,
    rules: {},
    credential: undefined,
    configVar: typeof vars.ANALYST_DB_URL === "string",
  };
  if (!db) return out;
  const base = `/postgres/v0/databases/${db.name}`;
  const endpoint = await herokuJson<{ status: string }>(fixture.s, "GET", `${base}/tls-endpoint`).catch(
    () => undefined,
  );
  out.mtls = endpoint?.status;
  if (endpoint) {
    const rules = await herokuJson<{ id: string; cidr: string }[]>(fixture.s, "GET", `${base}/tls-endpoint/ip-rules`);
    out.rules = Object.fromEntries(rules.map((r) => [r.cidr, r.id]));
  }
  const creds = await herokuJson<{ uuid: string; name: string; state: string }[]>(
    fixture.s,
    "GET",
    `${base}/credentials`,
  );
  const analyst = creds.find((c) => c.name === "analyst");
  out.credential = analyst ? { uuid: analyst.uuid, state: analyst.state } : undefined;
  return out;
}

function expectComplete(snap: Snapshot): void {
  expect(snap.addonIds).toHaveLength(1);
  expect(snap.mtls).toBe("Operational");
  expect(Object.keys(snap.rules).sort()).toEqual(["127.0.0.1/32", "203.0.113.0/24"]);
  expect(snap.credential?.state).toBe("active");
  expect(snap.configVar).toBe(true);
}

function urnOf(result: StackResult, name: string): string {
  const urn = result.events.map((e) => e.urn).find((u) => u.endsWith(`::${name}`));
  if (!urn) throw new Error(`no resource ${name} in ${result.events.map((e) => e.urn).join(", ")}`);
  return urn;
}

async function keyState(arn: string): Promise<string | undefined> {
  const kms = new KMSClient({
    region: "us-east-1",
    endpoint: fixture.s.env.AWS_ENDPOINT_URL_KMS,
    credentials: {
      accessKeyId: fixture.s.env.AWS_ACCESS_KEY_ID ?? "",
      secretAccessKey: fixture.s.env.AWS_SECRET_ACCESS_KEY ?? "",
    },
  });
  return (await kms.send(new DescribeKeyCommand({ KeyId: arn }))).KeyMetadata?.KeyState;
}

test("renames, --replace, a respelled database, another AWS_REGION and a dropped key never destroy what the stack holds", async () => {
  const first = await runStack("up", stack());
  expect(first.error).toBeUndefined();
  const before = await snapshot();
  expectComplete(before);
  const keyArn = String(first.outputs?.keyArn);

  // Renames without aliases. The IP rule (its marker names the old resource) and mTLS (it has rules) are refused
  // with the fix named, and the old resource keeps them. The credential, made a minute ago exactly as declared,
  // is indistinguishable from what an interrupted create leaves, so the new resource may resume it; then the old
  // resource's delete in the same run leaves it to the new one (shared/claims.ts). Either way nothing is lost.
  for (const [config, refusal] of [
    [{ ruleName: "safety-rule-office-renamed" }, /which this resource did not make.*add aliases/],
    [{ mtlsName: "safety-mtls-renamed" }, /cannot prove an interrupted run of it enabled it.*add aliases/],
    // Last, so that no later failing run leaves both names in the stack (see "What never happens", the limit).
    [{ credentialName: "safety-credential-renamed" }, /cannot prove it made.*add aliases/],
  ] as const) {
    const renamed = await runStack("up", stack(config));
    if (renamed.error !== undefined || !("credentialName" in config)) expect(renamed.error).toMatch(refusal);
    expect(await snapshot()).toEqual(before);
  }
  // Back to the declared names: whatever the renames left in the stack settles without touching Heroku's objects.
  const settled = await runStack("up", stack());
  expect(settled.error).toBeUndefined();
  expect(await snapshot()).toEqual(before);

  // The database named by its id instead of its name is the same database: no change, no call that changes anything.
  await controlJson(fixture.s, "DELETE", "/requests");
  const respelled = await runStack("preview", { ...stack({ databaseRef: "id" }), expectNoChanges: true });
  expect(respelled.error).toBeUndefined();
  const applied = await runStack("up", stack({ databaseRef: "id" }));
  expect(applied.error).toBeUndefined();
  expect(await mutatingRequests(fixture.s)).toEqual([]);
  expect(await snapshot()).toEqual(before);
  const byId = { databaseRef: "id" };

  // --replace of the credential deletes it first (its name is unique per database), then makes it anew and
  // attaches it again: a new credential, and the app has its config var.
  const replaceCredential = await runStack("up", stack(byId, { replace: [urnOf(first, "safety-credential")] }));
  expect(replaceCredential.error).toBeUndefined();
  const afterCredential = await snapshot();
  expectComplete(afterCredential);
  expect(afterCredential.credential?.uuid).not.toBe(before.credential?.uuid);

  // --replace of a rule made minutes ago: the new resource resumes it (it carries the marker) and the old one's
  // delete leaves it to the new holder; the block stays allowed throughout.
  const replaceRule = await runStack("up", stack(byId, { replace: [urnOf(first, "safety-rule-office")] }));
  expect(replaceRule.error).toBeUndefined();
  const afterRule = await snapshot();
  expectComplete(afterRule);
  expect(afterRule.rules["203.0.113.0/24"]).toBe(before.rules["203.0.113.0/24"]);

  // --replace of mTLS alone would remove every rule other resources hold: refused, nothing changed.
  const replaceMtls = await runStack("up", stack(byId, { replace: [urnOf(first, "safety-mtls")] }));
  expect(replaceMtls.error).toMatch(/still allows .*disabling it would remove those rules/);
  expect(await snapshot()).toEqual(afterRule);

  // --replace of the database made minutes ago resumes the same add-on; the old resource's delete leaves it.
  const replaceDb = await runStack("up", stack(byId, { replace: [urnOf(first, "safety-db")] }));
  expect(replaceDb.error).toBeUndefined();
  const afterDb = await snapshot();
  expectComplete(afterDb);
  expect(afterDb.addonIds).toEqual(before.addonIds);

  // Another AWS_REGION in the environment of a later run: the key stays where it was made.
  const otherRegion = await runStack("preview", {
    ...stack(byId),
    env: { ...fixture.s.env, AWS_REGION: "eu-west-1" },
    expectNoChanges: true,
  });
  expect(otherRegion.error).toBeUndefined();

  // The key dropped from the program (the database now names it by ARN): it leaves the stack, not KMS.
  const dropped = await runStack("up", stack({ ...byId, keyArn }));
  expect(dropped.error).toBeUndefined();
  expect(await keyState(keyArn)).toBe("Enabled");
  expectComplete(await snapshot());

  const destroyed = await runStack("destroy", stack({ ...byId, keyArn }));
  expect(destroyed.error).toBeUndefined();
  expect((await snapshot()).addonIds).toEqual([]);
  expect(await keyState(keyArn)).toBe("Enabled");
});

test("a run killed between a replacement's create and its delete: cancel and up converge, nothing declared is lost", async () => {
  await startOver(fixture.s);
  await controlJson(fixture.s, "PUT", "/speed", { "ip-rule": { ms: 4_000 } });
  const alias = { keyAlias: "alias/safety-killed" };
  const base = stack(alias, { stack: "killed" });
  expect((await runStack("up", base)).error).toBeUndefined();
  const before = await snapshot();
  expectComplete(before);

  // A new CIDR is created first (create-before-delete); the run dies while Heroku authorizes it.
  const moved = stack({ ...alias, officeCidr: "198.51.100.0/24" }, { stack: "killed" });
  await controlJson(fixture.s, "DELETE", "/requests");
  const run = startStack("up", moved);
  const deadline = Date.now() + 5 * 60_000;
  while (Date.now() < deadline) {
    const log = await requestLog(fixture.s);
    if (log.some((r) => r.method === "POST" && r.path.endsWith("/ip-rules") && r.status === 201)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  run.kill();
  expect((await run.result).killed).toBe(true);
  expect((await runStack("cancel", moved)).error).toBeUndefined();
  const again = await runStack("up", moved);
  expect(again.error).toBeUndefined();
  const after = await snapshot();
  expect(Object.keys(after.rules).sort()).toEqual(["127.0.0.1/32", "198.51.100.0/24"]);
  expect(after.credential?.uuid).toBe(before.credential?.uuid);
  expect(after.configVar).toBe(true);
  const posts = (await requestLog(fixture.s)).filter((r) => r.method === "POST" && r.path.endsWith("/ip-rules"));
  expect(posts.filter((r) => r.status === 201)).toHaveLength(1); // the killed run's rule was resumed, not made twice
  expect((await runStack("destroy", moved)).error).toBeUndefined();
});

test("a SecurePostgres renamed without aliases: the run fails before anything of the old one is removed", async () => {
  await startOver(fixture.s);
  const component = (config: Record<string, string>): StackOptions => ({
    program: "dist/tests/e2e/programs/renamed-component.js",
    project: "hps-renamed",
    stack: "renamed",
    stateDir: path.join(fixture.workDir, "state"),
    env: fixture.s.env,
    config,
    resetConfig: true,
  });
  const first = await runStack("up", component({}));
  expect(first.error).toBeUndefined();
  const keyArn = String(first.outputs?.keyArn);
  const addonsBefore = await herokuJson<{ id: string }[]>(fixture.s, "GET", "/apps/acme-api/addons");
  const renamed = await runStack("up", component({ name: "orders-v2" }));
  // The new key cannot take the alias the old key holds, so nothing that depends on it is made, and the old
  // resources (protected, as the component makes them by default) stay.
  expect(renamed.error).toMatch(/alias\/renamed-component|AlreadyExists/);
  expect(await keyState(keyArn)).toBe("Enabled");
  const addonsAfter = await herokuJson<{ id: string }[]>(fixture.s, "GET", "/apps/acme-api/addons");
  expect(addonsAfter.map((a) => a.id)).toEqual(addonsBefore.map((a) => a.id));
  const [db] = addonsAfter;
  const creds = await herokuJson<{ name: string }[]>(fixture.s, "GET", `/postgres/v0/databases/${db!.id}/credentials`);
  expect(creds.map((c) => c.name).sort()).toEqual(["analyst", "default"]);
  // Back to the old name: only the empty component the failed run registered goes; then nothing is left to do.
  expect((await runStack("up", component({}))).error).toBeUndefined();
  expect((await runStack("preview", { ...component({}), expectNoChanges: true })).error).toBeUndefined();
  expect((await runStack("up", component({ protect: "false" }))).error).toBeUndefined();
  expect((await runStack("destroy", component({ protect: "false" }))).error).toBeUndefined();
});
