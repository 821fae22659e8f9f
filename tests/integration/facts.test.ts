// The facts `check` reads at preview (provider/heroku/facts.ts) against the emulator: GETs only, each made once per
// run however many resources ask, 403/404 as answers, other failures as unknown, and a bounded number of lookups.
import {
  appFacts,
  clearFacts,
  credentialNames,
  databaseFacts,
  ipRuleFacts,
  MAX_FACT_LOOKUPS,
  postgresPlanNames,
} from "../../provider/heroku/facts";
import { control, provisioned } from "../emulator/helpers";
import { startServices, type Services } from "../support/services";

jest.setTimeout(180_000);
let s: Services;
let base: string;

beforeAll(async () => {
  s = await startServices();
  base = s.emulator.url;
  Object.assign(process.env, s.env);
  await control(base, "PUT", "/speed", { "addon-provision": "immediate" });
});
afterAll(async () => s?.stop());
beforeEach(async () => {
  clearFacts();
  await control(base, "DELETE", "/faults");
  await control(base, "DELETE", "/requests");
});

const log = async (): Promise<string[]> =>
  (await control<{ method: string; path: string }[]>(base, "GET", "/requests")).map((r) => `${r.method} ${r.path}`);

test("each fact is read once, whoever asks and however often, with GETs only", async () => {
  const asks = await Promise.all([
    appFacts("acme-api"),
    appFacts("acme-api"),
    postgresPlanNames(),
    postgresPlanNames(),
  ]);
  await appFacts("acme-api");
  expect(asks[0]).toEqual({
    kind: "found",
    value: {
      name: "acme-api",
      region: "virginia",
      space: { name: "acme-private", shield: false },
      generation: "cedar",
    },
  });
  expect(asks[2].kind === "found" && asks[2].value).toContain("heroku-postgresql:private-0");
  expect((await log()).sort()).toEqual(["GET /addon-services/heroku-postgresql/plans", "GET /apps/acme-api"]);
});

test("403 and 404 are answers; a 5xx after the client's retries leaves the fact unknown", async () => {
  expect(await appFacts("acme-nope")).toMatchObject({ kind: "absent", status: 404 });
  expect(await appFacts("globex-api")).toMatchObject({ kind: "absent", status: 403 });
  expect(await databaseFacts("postgresql-nope-00000")).toMatchObject({ kind: "absent", status: 404 });
  // More failures than the client retries (5 retries after the first attempt).
  await control(base, "POST", "/faults", { method: "GET", path: "^/apps/acme-eu$", status: 503, times: 6 });
  expect(await appFacts("acme-eu")).toMatchObject({ kind: "unknown" });
  expect((await log()).every((r) => r.startsWith("GET "))).toBe(true);
});

test("database facts: plan, follower, Enhanced Certificates, allowlist and credentials", async () => {
  const leader = (await provisioned(base, "acme-api", { plan: "heroku-postgresql:private-0" })).addon.name;
  const follower = (
    await provisioned(base, "acme-api", { plan: "heroku-postgresql:private-0", config: { follow: leader } })
  ).addon.name;
  const ec = (
    await provisioned(base, "acme-reports", {
      plan: "heroku-postgresql:private-0",
      config: { "enhanced-certificates-beta": true },
    })
  ).addon.name;
  await control(base, "DELETE", "/requests");
  expect(await databaseFacts(leader)).toEqual({
    kind: "found",
    value: { name: leader, plan: "private-0", enhancedCertificates: "Disabled" },
  });
  expect(await databaseFacts(follower)).toMatchObject({ kind: "found", value: { followerOf: leader } });
  expect(await databaseFacts(ec)).toMatchObject({ kind: "found", value: { enhancedCertificates: "Enabled" } });
  expect(await ipRuleFacts(leader)).toEqual({ kind: "found", value: { mtls: false, cidrs: [] } });
  expect(await credentialNames(leader)).toEqual({ kind: "found", value: ["default"] });
  expect(await log()).toHaveLength(5);
});

test(`at most ${MAX_FACT_LOOKUPS} lookups per run; later ones are unknown without a call`, async () => {
  for (let i = 0; i < MAX_FACT_LOOKUPS; i++) await appFacts(`acme-app-${i}`);
  await control(base, "DELETE", "/requests");
  expect(await appFacts("acme-api")).toEqual({
    kind: "unknown",
    why: `more than ${MAX_FACT_LOOKUPS} lookups in this run`,
  });
  expect(await log()).toEqual([]);
});
