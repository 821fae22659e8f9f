// IpAllowlist hooks against the emulator: every missing rule posted at once and waited for on shared list reads,
// updates block by block (the kept rules never touched), the refusals and the capacity check before anything is
// made, resuming, adoption, and the upgrade from separate IpRules (their deletes leave the taken-over rules).
import * as hooks from "../../provider/ip-allowlist/hooks";
import * as ipRule from "../../provider/ip-rule/hooks";
import { MAX_IP_RULES_PER_DATABASE } from "../../provider/ip-rule/validation";
import type { IpAllowlistInputs, IpAllowlistOutputs } from "../../provider/ip-allowlist/types";
import type { IpRuleInputs } from "../../provider/ip-rule/types";
import { clearClaims } from "../../provider/shared/claims";
import { resumeMarker } from "../../provider/shared/resume";
import { api, control, pollUntil, provisioned } from "../emulator/helpers";
import { startServices, type Services } from "../support/services";

jest.setTimeout(180_000);
let s: Services;
let base: string;

interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}
interface WireRule {
  id: string;
  cidr: string;
  description: string;
  status: string;
}

beforeAll(async () => {
  s = await startServices();
  base = s.emulator.url;
  Object.assign(process.env, s.env);
  await control(base, "PUT", "/speed", { "addon-provision": "immediate", mtls: "immediate", "ip-rule": { ms: 1500 } });
});
afterAll(async () => s?.stop());
beforeEach(() => clearClaims());

/** A fresh Private database with mTLS Operational, so each test sees only its own rules. */
async function mtlsDatabase(): Promise<string> {
  const db = (await provisioned(base, "acme-api", { plan: "heroku-postgresql:private-0" })).addon.name;
  await api(base, "POST", `/postgres/v0/databases/${db}/tls-endpoint`);
  await pollUntil(
    async () => (await api<{ status: string }>(base, "GET", `/postgres/v0/databases/${db}/tls-endpoint`)).json.status,
    (st) => st === "Operational",
  );
  return db;
}

const rulesOf = async (db: string): Promise<WireRule[]> =>
  (await api<WireRule[]>(base, "GET", `/postgres/v0/databases/${db}/tls-endpoint/ip-rules`)).json;

async function log(): Promise<LoggedRequest[]> {
  return (await control<LoggedRequest[]>(base, "GET", "/requests")).filter((r) => r.path.includes("/ip-rules"));
}

async function checked(raw: Record<string, unknown>, olds: Record<string, unknown> = {}): Promise<IpAllowlistInputs> {
  const { inputs, failures } = await hooks.check(olds, raw);
  expect(failures).toEqual([]);
  return inputs;
}

const KEY = "a1b2c3d4e5f60718";
const blocks = (...list: [string, string][]) => list.map(([cidr, description]) => ({ cidr, description }));

test("create posts every rule at once and waits for all on shared reads; read; delete removes them", async () => {
  const db = await mtlsDatabase();
  await control(base, "DELETE", "/requests");
  const inputs = await checked({
    database: db,
    resumeKey: KEY,
    entries: blocks(["203.0.113.0/24", "office"], ["198.51.100.7/32", "vpn"], ["192.0.2.0/24", "partner"]),
  });
  const { id, outs } = await hooks.create(inputs);
  expect(Object.keys(outs.rules).sort()).toEqual(["192.0.2.0/24", "198.51.100.7/32", "203.0.113.0/24"]);
  expect(Object.values(outs.rules).map((r) => r.status)).toEqual(["Authorized", "Authorized", "Authorized"]);
  expect(outs.entries).toEqual(inputs.entries);
  // Heroku's side: three rules, each description carrying the declared text and the resume marker.
  expect((await rulesOf(db)).map((r) => `${r.cidr} ${r.description} ${r.status}`).sort()).toEqual([
    `192.0.2.0/24 partner ${resumeMarker(KEY)} Authorized`,
    `198.51.100.7/32 vpn ${resumeMarker(KEY)} Authorized`,
    `203.0.113.0/24 office ${resumeMarker(KEY)} Authorized`,
  ]);
  const calls = await log();
  // One list before posting, three posts, then only list reads: never a GET of one rule.
  expect(calls.filter((c) => c.method === "POST").map((c) => c.status)).toEqual([201, 201, 201]);
  expect(calls.filter((c) => c.method === "GET" && !c.path.endsWith("/ip-rules"))).toEqual([]);
  const firstPost = calls.findIndex((c) => c.method === "POST");
  expect(calls.slice(firstPost, firstPost + 3).every((c) => c.method === "POST")).toBe(true);

  expect((await hooks.read(id, outs)).props).toEqual(outs);
  await hooks.delete(id, outs);
  expect(await rulesOf(db)).toEqual([]);
  await hooks.delete(id, outs); // already gone: nothing to do
});

test("while the endpoint provisions, the rules are posted at once and watched on the endpoint's own read until both are done", async () => {
  const db = (await provisioned(base, "acme-api", { plan: "heroku-postgresql:private-0" })).addon.name;
  await control(base, "PUT", "/speed", { mtls: { ms: 4000 }, "ip-rule": { ms: 1000 } });
  try {
    await api(base, "POST", `/postgres/v0/databases/${db}/tls-endpoint`);
    await control(base, "DELETE", "/requests");
    const { outs } = await hooks.create(
      await checked({
        database: db,
        resumeKey: KEY,
        entries: blocks(["203.0.113.0/24", "office"], ["192.0.2.0/24", "vpn"]),
      }),
    );
    expect(Object.values(outs.rules).map((r) => r.status)).toEqual(["Authorized", "Authorized"]);
    const calls = await control<LoggedRequest[]>(base, "GET", "/requests");
    // Heroku's side: the endpoint is Operational when create returns, and both rules are Authorized.
    const endpoint = await api<{ status: string }>(base, "GET", `/postgres/v0/databases/${db}/tls-endpoint`);
    expect(endpoint.json.status).toBe("Operational");
    expect((await rulesOf(db)).map((r) => r.status)).toEqual(["Authorized", "Authorized"]);
    const posts = calls.filter((c) => c.method === "POST");
    expect(posts.map((c) => c.status)).toEqual([201, 201]);
    // After the posts: endpoint reads only, one per round; the rules showed Authorized in active_ip_rules, so
    // no list read was needed once the endpoint was Operational.
    const after = calls.slice(calls.indexOf(posts[1]!) + 1);
    expect(after.length).toBeGreaterThan(1);
    expect(after.every((c) => c.method === "GET" && c.path.endsWith("/tls-endpoint"))).toBe(true);
  } finally {
    await control(base, "PUT", "/speed", { mtls: "immediate", "ip-rule": { ms: 1500 } });
  }
});

test("rules refused while the endpoint provisions are posted again once it is Operational", async () => {
  const db = (await provisioned(base, "acme-api", { plan: "heroku-postgresql:private-0" })).addon.name;
  await control(base, "PUT", "/speed", { mtls: { ms: 3000 }, "ip-rule": { ms: 500 } });
  try {
    await api(base, "POST", `/postgres/v0/databases/${db}/tls-endpoint`);
    // As if Heroku refused rules until the endpoint is Operational: the first two posts answer 422.
    await control(base, "POST", "/faults", { method: "POST", path: "/ip-rules$", status: 422, times: 2 });
    await control(base, "DELETE", "/requests");
    const { outs } = await hooks.create(
      await checked({
        database: db,
        resumeKey: KEY,
        entries: blocks(["203.0.113.0/24", "office"], ["192.0.2.0/24", "vpn"]),
      }),
    );
    expect(Object.keys(outs.rules).sort()).toEqual(["192.0.2.0/24", "203.0.113.0/24"]);
    const calls = await control<LoggedRequest[]>(base, "GET", "/requests");
    expect(calls.filter((c) => c.method === "POST").map((c) => c.status)).toEqual([422, 422, 201, 201]);
    // The second round of posts came after a read showed the endpoint Operational.
    const firstAccepted = calls.findIndex((c) => c.method === "POST" && c.status === 201);
    const endpointReads = calls.slice(0, firstAccepted).filter((c) => c.path.endsWith("/tls-endpoint"));
    expect(endpointReads.length).toBeGreaterThan(0);
    expect((await rulesOf(db)).map((r) => r.status)).toEqual(["Authorized", "Authorized"]);
  } finally {
    await control(base, "DELETE", "/faults");
    await control(base, "PUT", "/speed", { mtls: "immediate", "ip-rule": { ms: 1500 } });
  }
});

test("update adds, removes and re-creates block by block; a kept rule is never touched", async () => {
  const db = await mtlsDatabase();
  const first = await checked({
    database: db,
    resumeKey: KEY,
    entries: blocks(["203.0.113.0/24", "office"], ["198.51.100.7/32", "vpn"], ["192.0.2.0/24", "partner"]),
  });
  const { id, outs } = await hooks.create(first);
  const news = await checked(
    {
      database: db,
      resumeKey: KEY,
      entries: blocks(["203.0.113.0/24", "office"], ["198.51.100.7/32", "vpn gateway"], ["10.20.0.0/16", "vpc"]),
    },
    first as unknown as Record<string, unknown>,
  );
  const d = await hooks.diff(id, outs, news);
  expect(d).toMatchObject({
    changes: true,
    replaces: [],
    updates: ['entries["10.20.0.0/16"]', 'entries["192.0.2.0/24"]', 'entries["198.51.100.7/32"].description'],
  });
  await control(base, "DELETE", "/requests");
  const updated = (await hooks.update(id, outs, news)).outs;
  const calls = await log();
  const office = outs.rules["203.0.113.0/24"]!.ruleId;
  expect(calls.filter((c) => c.path.includes(office))).toEqual([]);
  expect(
    calls
      .filter((c) => c.method === "DELETE")
      .map((c) => c.path.split("/").pop())
      .sort(),
  ).toEqual([outs.rules["192.0.2.0/24"]!.ruleId, outs.rules["198.51.100.7/32"]!.ruleId].sort());
  expect(calls.filter((c) => c.method === "POST")).toHaveLength(2);
  expect(updated.rules["203.0.113.0/24"]!.ruleId).toBe(office);
  expect(updated.entries).toEqual(news.entries);
  expect((await rulesOf(db)).map((r) => `${r.cidr} ${r.description} ${r.status}`).sort()).toEqual([
    `10.20.0.0/16 vpc ${resumeMarker(KEY)} Authorized`,
    `198.51.100.7/32 vpn gateway ${resumeMarker(KEY)} Authorized`,
    `203.0.113.0/24 office ${resumeMarker(KEY)} Authorized`,
  ]);
  // Only acknowledgeWideCidr changes: nothing at Heroku.
  await control(base, "DELETE", "/requests");
  const acknowledged = await checked(
    {
      database: db,
      resumeKey: KEY,
      entries: [
        ...blocks(["203.0.113.0/24", "office"], ["198.51.100.7/32", "vpn gateway"], ["10.20.0.0/16", "vpc"]),
      ].map((e, i) => (i === 2 ? { ...e, acknowledgeWideCidr: true } : e)),
    },
    news as unknown as Record<string, unknown>,
  );
  await hooks.update(id, updated, acknowledged);
  expect(await log()).toEqual([]);
  await hooks.delete(id, updated);
});

test("a rule it did not make is refused with the id to adopt, before anything is posted; adoptRuleIds takes it", async () => {
  const db = await mtlsDatabase();
  const foreign = await api<WireRule>(base, "POST", `/postgres/v0/databases/${db}/tls-endpoint/ip-rules`, {
    body: { cidr: "198.51.100.7/32", description: "by hand" },
  });
  const raw = {
    database: db,
    resumeKey: KEY,
    entries: blocks(["203.0.113.0/24", "office"], ["198.51.100.7/32", "vpn"]),
  };
  await control(base, "DELETE", "/requests");
  await expect(hooks.create(await checked(raw))).rejects.toThrow(
    `database ${db} already allows 198.51.100.7/32 (rule ${foreign.json.id}), which this allowlist did not make; to manage it from this allowlist, set adoptRuleIds: { "198.51.100.7/32": "${foreign.json.id}" }, or remove the block from one of the two. Nothing was changed`,
  );
  expect((await log()).filter((c) => c.method !== "GET")).toEqual([]);

  const { id, outs } = await hooks.create(
    await checked({ ...raw, adoptRuleIds: { "198.51.100.7/32": foreign.json.id } }),
  );
  expect(outs.rules["198.51.100.7/32"]!.ruleId).toBe(foreign.json.id);
  // Adoption records the rule as it is: the next preview shows the description as a change.
  expect(outs.entries["198.51.100.7/32"]).toEqual({ description: "by hand" });
  expect((await log()).filter((c) => c.method === "POST")).toHaveLength(1);
  await hooks.delete(id, outs);
});

test(`the capacity check (${MAX_IP_RULES_PER_DATABASE} per database) counts what exists, before anything is posted`, async () => {
  const db = await mtlsDatabase();
  await control(base, "PUT", "/speed", { "ip-rule": "immediate" });
  for (let i = 0; i < MAX_IP_RULES_PER_DATABASE - 1; i++) {
    await api(base, "POST", `/postgres/v0/databases/${db}/tls-endpoint/ip-rules`, {
      body: { cidr: `10.9.${i}.0/24`, description: "existing" },
    });
  }
  await control(base, "PUT", "/speed", { "ip-rule": { ms: 1500 } });
  await control(base, "DELETE", "/requests");
  await expect(
    hooks.create(await checked({ database: db, entries: blocks(["203.0.113.0/24", "a"], ["198.51.100.7/32", "b"]) })),
  ).rejects.toThrow(
    `database ${db} would have ${MAX_IP_RULES_PER_DATABASE + 1} IP rules (${MAX_IP_RULES_PER_DATABASE - 1} existing + 2 new); Heroku Postgres allows at most ${MAX_IP_RULES_PER_DATABASE} IP rules per database. Nothing was changed`,
  );
  expect((await log()).filter((c) => c.method === "POST")).toEqual([]);
});

test("rules an interrupted create left (this allowlist's marker) are resumed, not posted again", async () => {
  const db = await mtlsDatabase();
  await api(base, "POST", `/postgres/v0/databases/${db}/tls-endpoint/ip-rules`, {
    body: { cidr: "203.0.113.0/24", description: `office ${resumeMarker(KEY)}` },
  });
  await control(base, "DELETE", "/requests");
  const { id, outs } = await hooks.create(
    await checked({
      database: db,
      resumeKey: KEY,
      entries: blocks(["203.0.113.0/24", "office"], ["192.0.2.0/24", "partner"]),
    }),
  );
  expect(outs.entries["203.0.113.0/24"]).toEqual({ description: "office" });
  expect((await log()).filter((c) => c.method === "POST").map((c) => c.status)).toEqual([201]);
  expect(await rulesOf(db)).toHaveLength(2);
  await hooks.delete(id, outs);
});

test("upgrade from separate IpRules: the allowlist takes their rules over and their deletes leave them in place", async () => {
  const db = await mtlsDatabase();
  const legacy = ["0123456789abcdef", "fedcba9876543210"];
  const cidrs = ["203.0.113.0/24", "198.51.100.7/32"];
  const old: { id: string; outs: IpRuleInputs }[] = [];
  for (const [i, cidr] of cidrs.entries()) {
    const { inputs } = await ipRule.check({}, { database: db, cidr, description: `block ${i}`, resumeKey: legacy[i] });
    old.push(await ipRule.create(inputs));
  }
  const before = (await rulesOf(db)).map((r) => r.id).sort();
  await control(base, "DELETE", "/requests");
  const raw = {
    database: db,
    resumeKey: KEY,
    entries: blocks([cidrs[0]!, "block 0"], [cidrs[1]!, "block 1"]),
    supersedesIpRules: { [cidrs[0]!]: legacy[0], [cidrs[1]!]: legacy[1] },
  };
  const inputs = await checked(raw);
  const { id, outs } = await hooks.create(inputs);
  // The old IpRules are deleted after the allowlist was created, as Pulumi does with resources a program dropped.
  for (const o of old) await ipRule.delete(o.id, o.outs as never);
  expect((await log()).filter((c) => c.method !== "GET")).toEqual([]);
  expect((await rulesOf(db)).map((r) => r.id).sort()).toEqual(before);
  expect(
    Object.values(outs.rules)
      .map((r) => r.ruleId)
      .sort(),
  ).toEqual(before);
  // The declared descriptions match without the IpRules' markers: the next preview shows no change.
  expect((await hooks.diff(id, outs, await checked(raw, outs as never))).changes).toBe(false);

  // A later run (a new provider process: no claims from the create) still keeps them: its diff holds the rules.
  clearClaims();
  await hooks.diff(id, outs, inputs);
  for (const o of old) await ipRule.delete(o.id, o.outs as never);
  expect((await log()).filter((c) => c.method === "DELETE")).toEqual([]);
  expect((await rulesOf(db)).map((r) => r.id).sort()).toEqual(before);
  await hooks.delete(id, outs as IpAllowlistOutputs);
});

test("check refuses bad blocks by property and index; mTLS off is explained", async () => {
  const db = (await provisioned(base, "acme-api", { plan: "heroku-postgresql:private-0" })).addon.name;
  const bad = await hooks.check({}, { database: db, entries: blocks(["10.0.0.1/8", "x"]) });
  expect(bad.failures).toEqual([
    {
      property: "entries",
      reason: "entries[0] (10.0.0.1/8): cidr 10.0.0.1/8 has host bits set; did you mean 10.0.0.0/8?",
    },
  ]);
  await expect(hooks.create(await checked({ database: db, entries: blocks(["203.0.113.0/24", "x"]) }))).rejects.toThrow(
    /mTLS is not enabled on database \S+; IP rules need it/,
  );
});
