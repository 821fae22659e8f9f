import type { IncomingHttpHeaders } from "node:http";
import type { Core } from "../core";
import type { User } from "../store/types";

/** Platform and Data routes need a token; control routes (/__emulator) do not. */
export type Family = "platform" | "data" | "control";

export interface Ctx {
  core: Core;
  method: string;
  path: string;
  params: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body; {} when there was none. */
  body: Record<string, unknown>;
  /** The caller. Control routes run as CONTROL_USER, which belongs to no team and so sees nothing. */
  user: User;
}

export interface Reply {
  status: number;
  /** JSON body. */
  json?: unknown;
  /** A list the server pages with the Range header. */
  list?: Record<string, unknown>[];
  /** Fields a list may be ranged on; default id and name. */
  rangeFields?: readonly string[];
  /** Raw body (e.g. the empty 200 of enhanced_certificates enable). */
  text?: string;
  headers?: Record<string, string>;
}

export type Handler = (ctx: Ctx) => Promise<Reply> | Reply;

export interface Route {
  method: string;
  pattern: string;
  family: Family;
  handler: Handler;
}

export const CONTROL_USER: User = { id: "control", email: "control@emulator", team: "", token: "" };
