// IpRule hooks against the emulator: create waits for Authorized, read, delete, the capacity check before
// anything is made, read-back after an ambiguous create, and the refusals.
import { clearFacts } from "../../provider/heroku/facts";
import { clearDeclared } from "../../provider/shared/declared";
import * as hooks from "../../provider/ip-rule/hooks";
import { resumeMarker } from "../../provider/shared/resume";
import type { IpRuleInputs } from "../../provider/ip-rule/types";
import { api, control, pollUntil, provisioned } from "../emulator/helpers";
import { startServices, type Services } from "../support/services";

jest.setTimeout(180_000);
let s: Services;
let base: string;
let db: string;

beforeAll(async () => {
  s = await startServices();
  base = s.emulator.url;
  Object.assign(process.env, s.env);
  await control(base, "PUT", "/speed", { "addon-provision": "immediate", mtls: "immediate", "ip-rule": { polls: 3 } });
  db = (await provisioned(base, "acme-api", { plan: "heroku-postgresql:private-0" })).addon.name;
  await api(base, "POST", `/postgres/v0/databases/${db}/tls-endpoint`);
  await pollUntil(
    async () => (await api<{ status: string }>(base, "GET", `/postgres/v0/databases/${db}/tls-endpoint`)).json.status,
    (st) => st === "Operational",
  );
});
afterAll(async () => s?.stop());

async function checked(raw: Record<string, unknown>): Promise<IpRuleInputs> {
  const { inputs, failures } = await hooks.check({}, raw);
  expect(failures).toEqual([]);
  return inputs;
}

const rules = async (): Promise<{ id: string; cidr: string }[]> =>
  (await api<{ id: string; cidr: string }[]>(base, "GET", `/postgres/v0/databases/${db}/tls-endpoint/ip-rules`)).json;

test("create waits for Authorized; read; description change is a delete-first replacement; delete", async () => {
  const inputs = await checked({ database: db, cidr: "203.0.113.0/24", description: "office" });
  const { id, outs } = await hooks.create(inputs);
  expect(outs).toMatchObject({ ruleId: id, status: "Authorized", cidr: "203.0.113.0/24", description: "office" });
  expect(outs.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  const read = await hooks.read(id, outs);
  expect(read.props).toEqual(outs);
  const d = await hooks.diff(
    id,
    outs,
    await checked({ database: db, cidr: "203.0.113.0/24", description: "new office" }),
  );
  expect(d).toMatchObject({ replaces: ["description"], deleteBeforeReplace: true });
  const d2 = await hooks.diff(
    id,
    outs,
    await checked({ database: db, cidr: "198.51.100.7/32", description: "office" }),
  );
  expect(d2).toMatchObject({ replaces: ["cidr"], deleteBeforeReplace: false });
  await hooks.delete(id, outs);
  expect(await hooks.read(id, outs)).toEqual({});
  await hooks.delete(id, outs);
});

test("check refuses bad and wide CIDRs naming the field; the same CIDR twice is refused with the rule id", async () => {
  const bad = await hooks.check({}, { database: db, cidr: "10.0.0.1/8", description: "x" });
  // The field is in the reason, not in `property` (Pulumi would echo the value; shared/check.ts asReported).
  expect(bad.failures[0]).toMatchObject({ property: "", reason: expect.stringMatching(/^cidr /) });
  expect(bad.failures[0]!.reason).toMatch(/10\.0\.0\.0\/8/);
  const wide = await hooks.check({}, { database: db, cidr: "0.0.0.0/0", description: "x" });
  expect(wide.failures[0]!.reason).toMatch(/acknowledgeWideCidr/);
  expect(
    (await hooks.check({}, { database: db, cidr: "0.0.0.0/0", description: "x", acknowledgeWideCidr: true })).failures,
  ).toEqual([]);

  const { id, outs } = await hooks.create(await checked({ database: db, cidr: "192.0.2.1/32", description: "ci" }));
  await expect(hooks.create(await checked({ database: db, cidr: "192.0.2.1/32", description: "ci" }))).rejects.toThrow(
    new RegExp(`already allows 192\\.0\\.2\\.1/32 \\(rule ${id}\\)`),
  );
  const adopted = await hooks.create(
    await checked({ database: db, cidr: "192.0.2.1/32", description: "ci", adoptRuleId: id }),
  );
  expect(adopted.id).toBe(id);
  await hooks.delete(id, outs);
});

test("an ambiguous create (a 503 to the POST) reads back by CIDR before posting again", async () => {
  await control(base, "DELETE", "/requests");
  await control(base, "POST", "/faults", { method: "POST", path: "ip-rules$", status: 503, times: 1 });
  // The fault answers before the handler runs, so nothing was made: the read-back finds nothing, the POST repeats.
  const { outs } = await hooks.create(await checked({ database: db, cidr: "192.0.2.50/32", description: "x" }));
  expect(outs.status).toBe("Authorized");
  const log = await control<{ method: string; path: string; status: number }[]>(base, "GET", "/requests");
  const calls = log.filter((r) => r.path.endsWith("/ip-rules")).map((r) => `${r.method} ${r.status}`);
  // the failed POST, the read-back, the POST that worked (then only the status polls' reads)
  expect(calls.slice(0, 3)).toEqual(["POST 503", "GET 200", "POST 201"]);
  expect(calls.slice(3).filter((c) => c !== "GET 200")).toEqual([]);
  expect((await rules()).filter((r) => r.cidr === "192.0.2.50/32")).toHaveLength(1);
  await hooks.delete(outs.ruleId, outs);
});

test("a rule an interrupted run left (its description carries the resume marker) is resumed, others refused", async () => {
  const key = "0123456789abcdef";
  await api(base, "POST", `/postgres/v0/databases/${db}/tls-endpoint/ip-rules`, {
    body: { cidr: "192.0.2.60/32", description: `vpn ${resumeMarker(key)}` },
  });
  await control(base, "DELETE", "/requests");
  const { id, outs } = await hooks.create(
    await checked({ database: db, cidr: "192.0.2.60/32", description: "vpn", resumeKey: key }),
  );
  expect(outs.description).toBe("vpn");
  // Heroku refused the one POST (the CIDR is allowlisted), and the provider resumed the marked rule.
  const log = await control<{ method: string; path: string; status: number }[]>(base, "GET", "/requests");
  expect(log.filter((r) => r.method === "POST").map((r) => r.status)).toEqual([422]);
  await expect(
    hooks.create(
      await checked({ database: db, cidr: "192.0.2.60/32", description: "vpn", resumeKey: "fedcba9876543210" }),
    ),
  ).rejects.toThrow(
    /already allows 192\.0\.2\.60\/32 \(rule [0-9a-f-]+\), which this resource did not make\. If it is the rule of a resource you renamed, add aliases.*set adoptRuleId/,
  );
  await hooks.delete(id, outs);
});

test("rules created together learn their status from shared list reads, never one GET per rule", async () => {
  await control(base, "PUT", "/speed", { "ip-rule": { ms: 1_500 } });
  await control(base, "DELETE", "/requests");
  const cidrs = ["192.0.2.101/32", "192.0.2.102/32", "192.0.2.103/32", "192.0.2.104/32", "192.0.2.105/32"];
  const made = await Promise.all(
    cidrs.map(async (cidr) => hooks.create(await checked({ database: db, cidr, description: "together" }))),
  );
  expect(made.map((m) => m.outs.status)).toEqual(cidrs.map(() => "Authorized"));
  const gets = (await control<{ method: string; path: string }[]>(base, "GET", "/requests")).filter(
    (r) => r.method === "GET" && r.path.includes("/ip-rules"),
  );
  expect(gets.filter((r) => !r.path.endsWith("/ip-rules"))).toEqual([]);
  // Five rules polled alone would read at least ten times; shared rounds read the list far fewer times.
  expect(gets.length).toBeLessThan(2 * cidrs.length);
  await control(base, "PUT", "/speed", { "ip-rule": { polls: 3 } });
  for (const m of made) await hooks.delete(m.id, m.outs);
});

test("the 61st rule is refused with nothing made, naming the limit and the database", async () => {
  const before = (await rules()).length;
  for (let i = before; i < 60; i++) {
    await api(base, "POST", `/postgres/v0/databases/${db}/tls-endpoint/ip-rules`, {
      body: { cidr: `10.9.${i}.0/24`, description: `r${i}` },
    });
  }
  await control(base, "DELETE", "/requests");
  // A new run: what earlier tests' checks read and declared belongs to their runs.
  clearFacts();
  clearDeclared();
  const checkedNow = await hooks.check({}, { database: db, cidr: "10.10.0.0/24", description: "one too many" });
  expect(checkedNow.failures).toEqual([
    {
      property: "",
      reason: `database ${db} would have 61 IP rules (60 at Heroku + 1 more declared in this stack, this one included); Heroku Postgres allows at most 60 IP rules per database`,
    },
  ]);
  // At up (for a database unknown at preview) Heroku refuses the create, and the provider says why.
  await expect(hooks.create(checkedNow.inputs)).rejects.toThrow(
    `database ${db} would have 61 IP rules (60 existing + 1 new); Heroku Postgres allows at most 60 IP rules per database`,
  );
  // Heroku refused the one POST (nothing made); the provider listed the rules once to say why.
  const log = await control<{ method: string; status: number }[]>(base, "GET", "/requests");
  expect(log.filter((r) => r.method === "POST").map((r) => r.status)).toEqual([422]);
  expect((await rules()).filter((r) => r.cidr === "10.10.0.0/24")).toEqual([]);
});

test("without mTLS check refuses at preview, and the create says to enable it first", async () => {
  const other = (await provisioned(base, "acme-api", { plan: "heroku-postgresql:private-0" })).addon.name;
  const checkedNow = await hooks.check({}, { database: other, cidr: "192.0.2.9/32", description: "x" });
  expect(checkedNow.failures).toEqual([
    { property: "", reason: expect.stringMatching(/has no mTLS .* and no MtlsConfig of this stack enables it/) },
  ]);
  await expect(hooks.create(checkedNow.inputs)).rejects.toThrow(/mTLS is not enabled on database/);
});
