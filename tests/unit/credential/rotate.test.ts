// rotateCredential after a failure that leaves its outcome unknown: a forced rotation is repeated (a second one
// only changes the password again); one without force is not, and its error says how to check and what to run.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { rotateCredential } from "../../../provider/heroku/credentials";
import { AmbiguousRequestError } from "../../../provider/heroku/errors";

type Answer = { status: number; body?: string } | "drop";
let server: http.Server;
let answers: Answer[] = [];
let seen: { method: string; url: string; body: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", body });
      const answer = answers.shift() ?? { status: 500, body: '{"id":"script_ended","message":"no answer scripted"}' };
      if (answer === "drop") {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status, { "Content-Type": "application/json" });
      res.end(answer.body ?? "");
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
  answers = [];
  seen = [];
});

const ROTATE = "/postgres/v0/databases/db-1/credentials/analyst/credentials_rotation";
const SERVER_ERROR = { status: 503, body: '{"id":"service_unavailable","message":"try later"}' };

test("a forced rotation whose answer was lost (503, then a dropped connection) is sent again until it succeeds", async () => {
  answers = [SERVER_ERROR, "drop", { status: 200, body: "{}" }];
  await rotateCredential("db-1", "analyst", true);
  expect(seen).toEqual(Array(3).fill({ method: "POST", url: ROTATE, body: '{"forced":true}' }));
});

test("a rotation without force is sent once; the error says what happened, how to check and what to run", async () => {
  answers = [SERVER_ERROR];
  const failure = rotateCredential("db-1", "analyst", false);
  await expect(failure).rejects.toBeInstanceOf(AmbiguousRequestError);
  await expect(failure).rejects.toThrow(
    "Heroku Data API POST /postgres/v0/databases/db-1/credentials/analyst/credentials_rotation answered 503 (try later); " +
      "it is unknown whether it took effect. heroku pg:credentials db-1 shows whether analyst is rotating; once it " +
      "is active again, run pulumi up again to rotate it (one more rotation is harmless)",
  );
  expect(seen).toEqual([{ method: "POST", url: ROTATE, body: "{}" }]);
});

test("a refusal (422) is not retried or reworded", async () => {
  answers = [{ status: 422, body: '{"id":"invalid_params","message":"Credential analyst is already rotating."}' }];
  await expect(rotateCredential("db-1", "analyst", true)).rejects.toThrow(/already rotating/);
  expect(seen).toHaveLength(1);
});
