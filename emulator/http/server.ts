import * as crypto from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Core } from "../core";
import { authenticate } from "./auth";
import { ApiError, errorIdForStatus, renderError } from "../errors";
import type { Fault, FaultAnswer } from "./faults";
import { paginate } from "./pagination";
import { Router } from "./router";
import { CONTROL_USER, type Family, type Reply } from "./types";

const MAX_BODY = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) reject(new ApiError("bad_request", "Request body too large."));
      else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseJson(text: string): Record<string, unknown> {
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError("bad_request", "Request body is not valid JSON.");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ApiError("bad_request", "Request body must be a JSON object.");
  }
  return value as Record<string, unknown>;
}

/** One handler for the HTTP and the HTTPS server: faults, auth, rate limit, route, error table, headers, log. */
export function requestListener(core: Core, router: Router) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    void handle(core, router, req, res).catch((err: unknown) => {
      // Last resort; handle() renders every expected error itself.
      if (!res.headersSent) {
        res.writeHead(500, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ id: "internal_server_error", message: (err as Error).message }));
      }
    });
  };
}

async function handle(core: Core, router: Router, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = (req.method ?? "GET").toUpperCase();
  const url = new URL(req.url ?? "/", "http://emulator");
  const path = url.pathname;
  const family: Family = Router.familyOf(path);
  const headers: Record<string, string> = { "Request-Id": crypto.randomUUID() };
  const receivedAt = new Date(core.store.now()).toISOString();
  const log = (status: number, handled?: number): void => {
    if (family !== "control")
      core.requests.push({
        method,
        path,
        status,
        ...(handled !== undefined ? { handled } : {}),
        at: new Date(core.store.now()).toISOString(),
        receivedAt,
      });
  };

  // Faults are checked before authentication; an `after` fault lets the request through and replaces the reply.
  const fault = family === "control" ? undefined : core.faults.take(method, path);
  if (fault && !fault.fault.after) {
    log(answerFault(req, res, fault.fault, fault.answer, headers));
    return;
  }
  const reply = await dispatch(core, router, req, method, path, family, headers);
  if (fault) {
    log(answerFault(req, res, fault.fault, fault.answer, headers), reply.status);
    return;
  }
  res.writeHead(reply.status, reply.headers);
  res.end(reply.body);
  log(reply.status);
}

interface Outgoing {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Answers an injected fault; returns the status the client sees (0 for a dropped connection). */
function answerFault(
  req: IncomingMessage,
  res: ServerResponse,
  fault: Fault,
  answer: FaultAnswer,
  headers: Record<string, string>,
): number {
  if (answer === "drop") {
    req.socket.destroy();
    return 0;
  }
  const err =
    answer === 429
      ? new ApiError(
          "rate_limit",
          "Your account reached the API rate limit. Please wait a few minutes before making new requests.",
        )
      : new ApiError(errorIdForStatus(answer), `Injected fault: ${answer}.`);
  const rendered = renderError(err);
  const retryAfter = fault.retryAfter !== undefined ? { "Retry-After": String(fault.retryAfter) } : {};
  res.writeHead(answer, { ...headers, ...retryAfter, "Content-Type": rendered.contentType });
  res.end(rendered.body);
  return answer;
}

/** Auth, rate limit, route and the error table: the reply the request earns, not yet written. */
async function dispatch(
  core: Core,
  router: Router,
  req: IncomingMessage,
  method: string,
  path: string,
  family: Family,
  headers: Record<string, string>,
): Promise<Outgoing> {
  try {
    const match = router.match(method, path);
    const body = parseJson(await readBody(req));
    const user = family === "control" ? CONTROL_USER : authenticate(core.store, req.headers);
    if (family === "platform") {
      // GET /account/rate-limits does not count against the limit (docs/heroku-api.md section 5).
      const free = method === "GET" && path === "/account/rate-limits";
      if (!free && !core.rateLimiter.take(user.id)) {
        headers["RateLimit-Remaining"] = "0";
        throw new ApiError(
          "rate_limit",
          "Your account reached the API rate limit. Please wait a few minutes before making new requests.",
        );
      }
      headers["RateLimit-Remaining"] = String(core.rateLimiter.remaining(user.id));
      headers["RateLimit-Multiplier"] = "1";
    }
    if (!match) throw new ApiError("not_implemented", `The emulator does not implement ${method} ${path}.`);
    if (match.route.family !== family)
      throw new ApiError("not_implemented", `The emulator does not implement ${method} ${path}.`);
    const reply: Reply = await match.route.handler({
      core,
      method,
      path,
      params: match.params,
      headers: req.headers,
      body,
      user,
    });
    return render(family, headers, reply, req.headers.range);
  } catch (err) {
    const apiErr = err instanceof ApiError ? err : new ApiError("internal_server_error", (err as Error).message);
    if (!(err instanceof ApiError))
      console.error(`emulator: ${method} ${path} failed: ${(err as Error).stack ?? String(err)}`);
    const rendered = renderError(apiErr);
    return {
      status: rendered.status,
      headers: { ...headers, "Content-Type": rendered.contentType },
      body: rendered.body,
    };
  }
}

function render(family: Family, headers: Record<string, string>, reply: Reply, range: string | undefined): Outgoing {
  // Recorded Data API responses carry a charset; Platform ones do not (VCR).
  const jsonType = family === "data" ? "application/json;charset=utf-8" : "application/json";
  let status = reply.status;
  let payload: string;
  let contentType = jsonType;
  if (reply.list) {
    const page = paginate(reply.list, range, reply.rangeFields);
    status = page.status;
    Object.assign(headers, page.headers);
    payload = JSON.stringify(page.items);
  } else if (reply.text !== undefined) {
    payload = reply.text;
    contentType = "text/plain;charset=utf-8";
  } else {
    payload = JSON.stringify(reply.json ?? {});
  }
  return { status, headers: { ...headers, ...reply.headers, "Content-Type": contentType }, body: payload };
}
