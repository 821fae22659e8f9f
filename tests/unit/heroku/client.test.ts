import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { HerokuClient } from "../../../provider/heroku/client";
import { AmbiguousRequestError, HerokuApiError, RetriesExhaustedError } from "../../../provider/heroku/errors";
import { pacingDelay, REFILL_INTERVAL_MS } from "../../../provider/heroku/retry-policy";

/** A scripted local API: each request takes the next answer from `answers`. */
type Answer = { status: number; body?: string; headers?: Record<string, string> } | "drop";
interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

const TOKEN = "hps-test-token-secret-0001";
let server: http.Server;
let answers: Answer[] = [];
let seen: Seen[] = [];
let sleeps: number[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    req.resume();
    const answer = answers.shift() ?? { status: 500, body: '{"id":"script_ended","message":"no answer scripted"}' };
    if (answer === "drop") {
      req.socket.destroy();
      return;
    }
    res.writeHead(answer.status, { "Content-Type": "application/json", ...answer.headers });
    res.end(answer.body ?? "");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  process.env.HEROKU_API_URL = `http://127.0.0.1:${port}/`;
  process.env.HEROKU_DATA_API_URL = `http://127.0.0.1:${port}/data`;
  process.env.HEROKU_API_KEY = TOKEN;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  answers = [];
  seen = [];
  sleeps = [];
});

const client = (maxRetries = 3) =>
  new HerokuClient({
    maxRetries,
    baseDelayMs: 100,
    maxDelayMs: 1000,
    random: () => 0.5,
    sleep: async (ms) => void sleeps.push(ms),
  });

describe("HerokuClient", () => {
  it("sends the version 3 Accept header, Bearer to the Platform API and Basic with an empty user to the Data API", async () => {
    answers = [
      { status: 200, body: '{"name":"acme-api"}' },
      { status: 200, body: "{}" },
    ];
    await expect(client().get("platform", "/apps/acme-api")).resolves.toEqual({ name: "acme-api" });
    await client().get("data", "/client/v11/databases/x");
    expect(seen[0]?.headers.accept).toBe("application/vnd.heroku+json; version=3");
    expect(seen[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(seen[1]?.url).toBe("/data/client/v11/databases/x");
    expect(seen[1]?.headers.authorization).toBe(`Basic ${Buffer.from(`:${TOKEN}`).toString("base64")}`);
  });

  it("honours Retry-After on 429, even for a create", async () => {
    answers = [
      {
        status: 429,
        body: '{"id":"rate_limit","message":"Your account reached the API rate limit"}',
        headers: { "Retry-After": "3" },
      },
      { status: 201, body: '{"id":"a1"}' },
    ];
    const res = await client().request({ api: "platform", method: "POST", path: "/apps/acme-api/addons", body: {} });
    expect(res.status).toBe(201);
    expect(sleeps).toEqual([3000]);
    expect(seen).toHaveLength(2);
  });

  it("backs off exponentially with jitter on 429 without Retry-After", async () => {
    answers = [{ status: 429 }, { status: 429 }, { status: 429 }, { status: 200, body: "[]" }];
    await client().get("platform", "/apps");
    // random 0.5: base + 0.5 * (min(max, base * 2^n) - base)
    expect(sleeps).toEqual([100, 150, 250]);
  });

  it("retries transient 5xx and dropped connections for idempotent calls", async () => {
    answers = [
      { status: 503, body: '{"id":"unavailable","message":"try later"}' },
      "drop",
      { status: 200, body: '{"ok":true}' },
    ];
    await expect(client().get("platform", "/apps/acme-api")).resolves.toEqual({ ok: true });
    expect(seen).toHaveLength(3);
  });

  it("stops after the bound with an error that says what happened and what to do", async () => {
    answers = [{ status: 500 }, { status: 500 }, { status: 500 }];
    const err = await client(2)
      .get("platform", "/apps/acme-api")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetriesExhaustedError);
    expect((err as Error).message).toBe(
      "Heroku Platform API GET /apps/acme-api still failed after 3 attempts (last: 500 no error message). " +
        "Heroku is rate limiting this account or is degraded (https://status.heroku.com); wait a few minutes and run the command again",
    );
    expect(seen).toHaveLength(3);
  });

  it("never repeats a create after an ambiguous failure", async () => {
    answers = [{ status: 502, body: '{"id":"bad_gateway","message":"upstream"}' }];
    const err = await client()
      .request({ api: "platform", method: "POST", path: "/apps/acme-api/addons", body: {} })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AmbiguousRequestError);
    expect(seen).toHaveLength(1);
    answers = ["drop"];
    const dropped = await client()
      .request({ api: "platform", method: "POST", path: "/apps/acme-api/addons", body: {} })
      .catch((e: unknown) => e);
    expect(dropped).toBeInstanceOf(AmbiguousRequestError);
    expect((dropped as Error).message).toMatch(/may have reached Heroku; it is unknown whether it took effect/);
    expect(seen).toHaveLength(2);
  });

  it("follows Next-Range through 206 pages", async () => {
    answers = [
      { status: 206, body: '[{"id":"1"},{"id":"2"}]', headers: { "Next-Range": "id ]2..; max=2" } },
      { status: 206, body: '[{"id":"3"},{"id":"4"}]', headers: { "Next-Range": "id ]4..; max=2" } },
      { status: 200, body: '[{"id":"5"}]' },
    ];
    const items = await client().list<{ id: string }>("platform", "/apps/acme-api/addons");
    expect(items.map((i) => i.id)).toEqual(["1", "2", "3", "4", "5"]);
    expect(seen.map((s) => s.headers.range)).toEqual([undefined, "id ]2..; max=2", "id ]4..; max=2"]);
  });

  it("throws a typed error with status, Heroku's id as errorId, message and request id (and no id property)", async () => {
    answers = [
      {
        status: 422,
        body: '{"id":"invalid_params","message":"Plan is invalid"}',
        headers: { "Request-Id": "req-123" },
      },
    ];
    const err = await client()
      .get("platform", "/apps/acme-api/addons")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HerokuApiError);
    expect(err).toMatchObject({
      status: 422,
      errorId: "invalid_params",
      herokuMessage: "Plan is invalid",
      requestId: "req-123",
    });
    expect("id" in (err as object)).toBe(false);
    expect((err as Error).message).toBe(
      "Heroku Platform API GET /apps/acme-api/addons answered 422 invalid_params: Plan is invalid (request id req-123)",
    );
  });

  it("turns the Data API's HTML 404 into not_found", async () => {
    answers = [{ status: 404, body: "<h1>Not Found</h1>", headers: { "Content-Type": "text/html" } }];
    const err = await client()
      .get("data", "/client/v11/databases/nope")
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 404, errorId: "not_found", herokuMessage: "Not Found" });
  });

  it("names HEROKU_API_KEY on 401 without printing the token", async () => {
    answers = [{ status: 401, body: `{"id":"unauthorized","message":"Invalid credentials provided: ${TOKEN}"}` }];
    const err = (await client()
      .get("platform", "/account")
      .catch((e: unknown) => e)) as Error;
    expect(err.message).toContain("Check HEROKU_API_KEY");
    expect(err.message).not.toContain(TOKEN);
    expect(JSON.stringify(err)).not.toContain(TOKEN);
    expect(String(err.stack)).not.toContain(TOKEN);
  });

  it("names HEROKU_API_KEY on 403", async () => {
    answers = [{ status: 403, body: '{"id":"forbidden","message":"You do not have access to the app acme-api."}' }];
    await expect(client().get("platform", "/apps/acme-api")).rejects.toThrow(
      /403 forbidden: .*Check HEROKU_API_KEY: the token's account lacks access/,
    );
  });

  it("slows down when RateLimit-Remaining runs low", async () => {
    answers = [
      { status: 200, body: "{}", headers: { "RateLimit-Remaining": "10" } },
      { status: 200, body: "{}" },
    ];
    const c = client();
    await c.get("platform", "/account");
    expect(sleeps).toEqual([]);
    await c.get("platform", "/account");
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThanOrEqual(800);
  });

  it("paces concurrent calls one delay apart, not each on its own", async () => {
    const remaining = 10;
    answers = [
      { status: 200, body: "{}", headers: { "RateLimit-Remaining": String(remaining) } },
      { status: 200, body: "{}" },
      { status: 200, body: "{}" },
      { status: 200, body: "{}" },
    ];
    const c = new HerokuClient({ now: () => 1_000, sleep: async (ms) => void sleeps.push(ms) });
    await c.get("platform", "/account");
    await Promise.all([c.get("platform", "/a"), c.get("platform", "/b"), c.get("platform", "/c")]);
    const delay = pacingDelay(remaining);
    expect(delay).toBeGreaterThanOrEqual(REFILL_INTERVAL_MS);
    expect(sleeps).toEqual([delay, 2 * delay, 3 * delay]);
  });

  it("stops a 429 storm without Retry-After at the bound, backing off in between", async () => {
    answers = Array.from({ length: 4 }, () => ({
      status: 429,
      body: '{"id":"rate_limit","message":"Your account reached the API rate limit."}',
    }));
    const err = (await client(3)
      .request({ api: "platform", method: "POST", path: "/apps/acme-api/addons", body: {} })
      .catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(RetriesExhaustedError);
    expect(err.message).toBe(
      "Heroku Platform API POST /apps/acme-api/addons still failed after 4 attempts (last: 429 Your account reached the API rate limit.). " +
        "Heroku is rate limiting this account or is degraded (https://status.heroku.com); wait a few minutes and run the command again",
    );
    expect(seen).toHaveLength(4);
    // Exponential backoff between attempts (base 100, cap 1000, jitter fixed at 0.5), none after the last.
    expect(sleeps).toEqual([100, 150, 250]);
  });

  it("reads the URLs and token at call time", async () => {
    const saved = process.env.HEROKU_API_KEY;
    delete process.env.HEROKU_API_KEY;
    await expect(client().get("platform", "/account")).rejects.toThrow(/^HEROKU_API_KEY is not set/);
    process.env.HEROKU_API_KEY = saved;
    expect(seen).toHaveLength(0);
  });
});
