// The bench's arithmetic (bench/measure.ts, bench/report-format.ts): what RESULTS.md's goal rows are computed from.
import {
  criticalPathMs,
  DELAYS,
  HEROKU_LIKE,
  minimumCalls,
  noticeDelays,
  type LoggedRequest,
} from "../../../bench/measure";
import { noticeSummary, route } from "../../../bench/report-format";

const shape = { rules: 60, credentials: 20, certificates: 2 };

describe("critical path", () => {
  test.each([
    // add-on 3 s + max(certificate 1 s + rule 1.5 s, mTLS 2 s) + credential 1 s
    ["default", DELAYS, 6500],
    // add-on 3 s + max(certificate 10 s + rule 30 s, mTLS 60 s) + credential 10 s
    ["Heroku-like", HEROKU_LIKE, 73_000],
  ])("of the reference stack at %s speeds", (_name, delays, expected) => {
    expect(criticalPathMs(shape, delays)).toBe(expected);
  });

  test("without credentials the allowlist ends it, at the later of its rules and the endpoint", () => {
    expect(criticalPathMs({ rules: 5, credentials: 0, certificates: 1 }, HEROKU_LIKE)).toBe(63_000);
    const slowRules = { ...HEROKU_LIKE, "ip-rule": 90_000 };
    expect(criticalPathMs({ rules: 5, credentials: 0, certificates: 1 }, slowRules)).toBe(103_000);
  });
});

test("minimum calls grow with the waits: one read per 2 s of each wait", () => {
  const fast = minimumCalls(shape, DELAYS);
  const slow = minimumCalls(shape, HEROKU_LIKE);
  expect(fast.creates).toBe(slow.creates);
  // Heroku-like: add-on 2, 2 certificates x 5, the allowlist (the endpoint's 60 s less the certificates' 10 s,
  // longer than the rules' 30 s) 25, 20 credentials x 5.
  expect(slow.polls).toBe(2 + 10 + 25 + 100);
});

describe("notice delays", () => {
  const t0 = Date.parse("2026-01-01T00:00:00Z");
  const addon = {
    id: "6c20275a-fe6a-4c96-b578-6629ea011c60",
    name: "postgresql-spherical-68879",
    createdAt: t0 - 60_000,
    mtls: {
      createdAt: t0,
      ipRules: [{ id: "85ba3be7-6f4f-4396-bd39-a6968416e6e8", createdAt: t0 + 1000 }],
    },
  };
  const get = (path: string, at: number): LoggedRequest => ({ method: "GET", path, status: 200, at });
  // The run starts by enabling mTLS; the database was made a minute before the log.
  const enable: LoggedRequest = {
    method: "POST",
    path: `/postgres/v0/databases/${addon.name}/tls-endpoint`,
    status: 201,
    at: t0,
  };

  test("a transition before the log starts (an existing database) is left out", () => {
    const log = [
      enable,
      // Reads the add-on (as an adoption does): not a notice of its provisioning, which ended before the log.
      get(`/apps/acme-api/addons/${addon.id}`, t0 + 500),
      get(`/postgres/v0/databases/${addon.id}/tls-endpoint`, t0 + 61_500),
    ];
    const delays = noticeDelays({ addons: [addon] }, log, HEROKU_LIKE);
    expect(delays.map((d) => d.kind)).toEqual(["mTLS", "IP rule"]);
    expect(delays[0]).toMatchObject({ delayMs: 1500, waitMs: 60_000 });
  });

  test("the endpoint's read notices a rule (active_ip_rules shows it once Authorized)", () => {
    const log = [enable, get(`/postgres/v0/databases/${addon.name}/tls-endpoint`, t0 + 32_000)];
    const [rule] = noticeDelays({ addons: [addon] }, log, HEROKU_LIKE).filter((d) => d.kind === "IP rule");
    expect(rule).toMatchObject({ delayMs: 1000, waitMs: 30_000 });
  });

  test("a rule is noticed through a list read by add-on id as by name", () => {
    const log = [enable, get(`/postgres/v0/databases/${addon.id}/tls-endpoint/ip-rules`, t0 + 31_200)];
    const [rule] = noticeDelays({ addons: [addon] }, log, HEROKU_LIKE);
    expect(rule).toMatchObject({ kind: "IP rule", delayMs: 200, waitMs: 30_000 });
  });

  test("every certificate is noticed on its own, the one enabling makes too", () => {
    const withCerts = {
      ...addon,
      mtls: {
        createdAt: t0,
        certificates: [
          { id: "first", createdAt: t0 },
          { id: "second", createdAt: t0 + 61_000 },
        ],
      },
    };
    const log = [
      enable,
      get(`/postgres/v0/databases/${addon.id}/tls-endpoint/certificates/first`, t0 + 62_000),
      get(`/postgres/v0/databases/${addon.id}/tls-endpoint/certificates/second`, t0 + 71_400),
    ];
    const certs = noticeDelays({ addons: [withCerts] }, log, HEROKU_LIKE).filter((d) => d.kind === "certificate");
    expect(certs).toEqual([
      { kind: "certificate", object: "first", delayMs: 52_000, waitMs: 10_000 },
      { kind: "certificate", object: "second", delayMs: 400, waitMs: 10_000 },
    ]);
  });

  test("the goal allows 2 s, or 5% of the median wait when that is larger", () => {
    const n = (delayMs: number, waitMs: number) => ({ kind: "x", object: "y", delayMs, waitMs });
    expect(noticeSummary([n(500, 1000), n(1500, 1500), n(900, 2000)]).allowed).toBe(2000);
    expect(noticeSummary([n(2500, 60_000), n(2900, 60_000), n(100, 30_000)])).toEqual({
      median: 2500,
      worst: 2900,
      allowed: 3000,
    });
  });
});

test("a database named by add-on name or by id is one route", () => {
  const byName = route({
    method: "GET",
    path: "/postgres/v0/databases/postgresql-spherical-68879/credentials/bench_01",
    status: 200,
    at: 0,
  });
  const byId = route({
    method: "GET",
    path: "/postgres/v0/databases/6c20275a-fe6a-4c96-b578-6629ea011c60/credentials/bench_02",
    status: 200,
    at: 0,
  });
  expect(byName).toBe("GET /postgres/v0/databases/{addon}/credentials/{name}");
  expect(byId).toBe(byName);
  expect(
    route({
      method: "DELETE",
      path: "/postgres/v0/databases/postgresql-spherical-68879/tls-endpoint/ip-rules/85ba3be7-6f4f-4396-bd39-a6968416e6e8",
      status: 200,
      at: 0,
    }),
  ).toBe("DELETE /postgres/v0/databases/{addon}/tls-endpoint/ip-rules/{id}");
});
