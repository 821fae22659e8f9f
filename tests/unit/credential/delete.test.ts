// Credential's delete against a scripted Heroku: the detach comes from a shared attachment list, so one attached
// since that list was read makes Heroku refuse the DELETE; the delete then reads the attachments afresh, detaches
// only this credential's, and sends the DELETE once more. Another refusal is not retried; a credential missing
// from the lists is gone without a read by name.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as hooks from "../../../provider/credential/hooks";
import type { CredentialOutputs } from "../../../provider/credential/types";

type Answer = { status: number; body?: unknown };
type Script = (method: string, url: string, count: number) => Answer;
let server: http.Server;
let script: Script;
let seen: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const call = `${req.method} ${(req.url ?? "").split("?")[0]}`;
      seen.push(call);
      const answer = script(req.method ?? "", call.split(" ")[1]!, seen.filter((c) => c === call).length);
      res.writeHead(answer.status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(answer.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  process.env.HEROKU_API_URL = `http://127.0.0.1:${port}`;
  process.env.HEROKU_DATA_API_URL = `http://127.0.0.1:${port}`;
  process.env.HEROKU_API_KEY = "hps-test-token-0001";
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  seen = [];
});

const UUID = "0b6e2f3c-1d2e-4f5a-8b9c-0d1e2f3a4b5c";
const credential = (name: string, uuid: string, state = "active") => ({
  uuid,
  name,
  state,
  database: "d1",
  host: "127.0.0.1",
  port: 5432,
  credentials: [{ user: name, password: "p", state: "active", connections: 0 }],
});
const attachment = (id: string, namespace: string | null) => ({
  id,
  name: `${id.toUpperCase()}_DB`,
  namespace,
  app: { id: "app-1", name: "acme-api" },
  addon: { id: "addon-1", name: "db" },
});
const props = (database: string): CredentialOutputs =>
  ({ database, name: "analyst", permissions: "none", schemas: ["public"] }) as unknown as CredentialOutputs;

test("DELETE refused as still attached: fresh attachments, only this credential's detached, DELETE once more", async () => {
  let destroyed = false;
  script = (method, url, count) => {
    if (url === "/postgres/v0/databases/db-a/credentials") {
      return { status: 200, body: destroyed ? [] : [credential("analyst", UUID)] };
    }
    if (url === "/addons/db-a/addon-attachments") {
      // The first (shared) read predates an attachment someone made since.
      return {
        status: 200,
        body: count === 1 ? [] : [attachment("att-1", "credential:analyst"), attachment("att-2", "credential:other")],
      };
    }
    if (method === "DELETE" && url === "/postgres/v0/databases/db-a/credentials/analyst") {
      if (count === 1) {
        return {
          status: 422,
          body: {
            id: "unprocessable_entity",
            message: "Credential analyst must be detached from the app(s) acme-api before destroying.",
          },
        };
      }
      destroyed = true;
      return { status: 200, body: { message: "destroyed" } };
    }
    if (method === "DELETE" && url === "/addon-attachments/att-1") return { status: 200, body: {} };
    return { status: 500, body: { id: "unscripted", message: `${method} ${url}` } };
  };
  await hooks.delete(UUID, props("db-a"));
  expect(seen).toEqual([
    "GET /postgres/v0/databases/db-a/credentials",
    "GET /addons/db-a/addon-attachments",
    "DELETE /postgres/v0/databases/db-a/credentials/analyst",
    "GET /addons/db-a/addon-attachments",
    "DELETE /addon-attachments/att-1",
    "DELETE /postgres/v0/databases/db-a/credentials/analyst",
    "GET /postgres/v0/databases/db-a/credentials",
  ]);
});

test("another refusal of the DELETE is not retried", async () => {
  script = (method, url) => {
    if (url === "/postgres/v0/databases/db-b/credentials") return { status: 200, body: [credential("analyst", UUID)] };
    if (url === "/addons/db-b/addon-attachments") return { status: 200, body: [] };
    if (method === "DELETE") {
      return { status: 422, body: { id: "unprocessable_entity", message: "Database is not available." } };
    }
    return { status: 500, body: { id: "unscripted", message: `${method} ${url}` } };
  };
  await expect(hooks.delete(UUID, props("db-b"))).rejects.toThrow(/answered 422 unprocessable_entity: Database/);
  expect(seen.filter((c) => c.startsWith("DELETE"))).toEqual([
    "DELETE /postgres/v0/databases/db-b/credentials/analyst",
  ]);
});

test("revoking, then absent from a list read after the DELETE: gone, with no read by name", async () => {
  let lists = 0;
  script = (method, url) => {
    if (url === "/postgres/v0/databases/db-c/credentials") {
      lists += 1;
      const state = lists === 1 ? "active" : "revoking";
      return { status: 200, body: lists <= 2 ? [credential("analyst", UUID, state)] : [] };
    }
    if (url === "/addons/db-c/addon-attachments") return { status: 200, body: [] };
    if (method === "DELETE") return { status: 200, body: { message: "destroyed" } };
    return { status: 500, body: { id: "unscripted", message: `${method} ${url}` } };
  };
  await hooks.delete(UUID, props("db-c"));
  expect(seen.filter((c) => c.includes("/credentials/") && c.startsWith("GET"))).toEqual([]);
  expect(seen.filter((c) => c === "GET /postgres/v0/databases/db-c/credentials")).toHaveLength(3);
});

test("missing from the shared list and from one fresh list: gone, nothing read by name or deleted", async () => {
  script = (method, url) => {
    if (url === "/postgres/v0/databases/db-d/credentials") return { status: 200, body: [credential("default", UUID)] };
    return { status: 500, body: { id: "unscripted", message: `${method} ${url}` } };
  };
  await hooks.delete(UUID, props("db-d"));
  expect(seen).toEqual(Array(2).fill("GET /postgres/v0/databases/db-d/credentials"));
});
