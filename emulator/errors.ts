/**
 * Handlers throw ApiError; this one table turns it into a status and a body. Ids and statuses follow the Platform
 * API error table (docs/heroku-api.md section 5); the Data API uses the same {id, message} shape except for unknown
 * databases, which real Heroku answers with an HTML page.
 */
export type ErrorId =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "not_acceptable"
  | "conflict"
  | "requested_range_not_satisfiable"
  | "invalid_params"
  | "unprocessable_entity"
  | "confirmation_required"
  | "rate_limit"
  | "internal_server_error"
  | "not_implemented"
  | "database_not_found";

const TABLE: Record<ErrorId, { status: number; html?: string }> = {
  bad_request: { status: 400 },
  unauthorized: { status: 401 },
  forbidden: { status: 403 },
  not_found: { status: 404 },
  not_acceptable: { status: 406 },
  conflict: { status: 409 },
  requested_range_not_satisfiable: { status: 416 },
  invalid_params: { status: 422 },
  unprocessable_entity: { status: 422 },
  confirmation_required: { status: 423 },
  rate_limit: { status: 429 },
  internal_server_error: { status: 500 },
  not_implemented: { status: 501 },
  database_not_found: { status: 404, html: "<h1>Not Found</h1>" },
};

export class ApiError extends Error {
  constructor(
    readonly errorId: ErrorId,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface ErrorResponse {
  status: number;
  contentType: string;
  body: string;
}

export function renderError(err: ApiError): ErrorResponse {
  const row = TABLE[err.errorId];
  if (row.html !== undefined) return { status: row.status, contentType: "text/html;charset=utf-8", body: row.html };
  return {
    status: row.status,
    contentType: "application/json",
    body: JSON.stringify({ id: err.errorId, message: err.message }),
  };
}

/** The id a fault with a bare status answers with, so injected errors look like real ones. */
export function errorIdForStatus(status: number): ErrorId {
  const hit = (Object.entries(TABLE) as [ErrorId, { status: number; html?: string }][]).find(
    ([, row]) => row.status === status && row.html === undefined,
  );
  return hit ? hit[0] : status >= 500 ? "internal_server_error" : "bad_request";
}

export const notFound = (what: string): ApiError => new ApiError("not_found", `Couldn't find that ${what}.`);
export const invalid = (message: string): ApiError => new ApiError("invalid_params", message);
