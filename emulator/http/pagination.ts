import { ApiError } from "./errors";

/** Range-based list paging as the Platform API does it (heroku-api.md section 5). */
export const DEFAULT_PAGE = 200;
export const MAX_PAGE = 1000;
const FIELDS = ["id", "name"] as const;

interface RangeSpec {
  field: (typeof FIELDS)[number];
  start: string;
  exclusiveStart: boolean;
  end: string;
  max: number;
  desc: boolean;
}

export function parseRange(header: string | undefined): RangeSpec {
  const fallback: RangeSpec = {
    field: "id",
    start: "",
    exclusiveStart: false,
    end: "",
    max: DEFAULT_PAGE,
    desc: false,
  };
  if (!header || header.trim() === "") return fallback;
  const m =
    /^\s*([a-z_]+)\s+(\]?)([^;]*?)\.\.([^;]*?)\s*(?:;\s*(.*))?$/i.exec(header) ??
    /^\s*([a-z_]+)\s*()()()(?:;\s*(.*))?$/i.exec(header);
  if (!m) throw new ApiError("requested_range_not_satisfiable", `Invalid Range header: ${header}`);
  const field = m[1]!.toLowerCase();
  if (!(FIELDS as readonly string[]).includes(field)) {
    throw new ApiError("requested_range_not_satisfiable", `Ranges on ${field} are not supported; use id or name.`);
  }
  const spec: RangeSpec = {
    ...fallback,
    field: field as RangeSpec["field"],
    exclusiveStart: m[2] === "]",
    start: (m[3] ?? "").trim(),
    end: (m[4] ?? "").trim(),
  };
  for (const option of (m[5] ?? "").split(/[;,]/)) {
    const [k, v] = option.split("=").map((s) => s.trim());
    if (k === "max" && v !== undefined) {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1)
        throw new ApiError("requested_range_not_satisfiable", `Invalid max in Range: ${v}`);
      spec.max = Math.min(n, MAX_PAGE);
    }
    if (k === "order" && v === "desc") spec.desc = true;
  }
  return spec;
}

export interface Page {
  status: 200 | 206;
  items: unknown[];
  headers: Record<string, string>;
}

export function paginate(all: Record<string, unknown>[], rangeHeader: string | undefined): Page {
  const spec = parseRange(rangeHeader);
  const key = (item: Record<string, unknown>): string => String(item[spec.field] ?? "");
  const sorted = [...all].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  if (spec.desc) sorted.reverse();
  const before = (a: string, b: string): boolean => (spec.desc ? a > b : a < b);
  const inRange = sorted.filter((item) => {
    const k = key(item);
    if (spec.start !== "" && (before(k, spec.start) || (spec.exclusiveStart && k === spec.start))) return false;
    if (spec.end !== "" && before(spec.end, k)) return false;
    return true;
  });
  const items = inRange.slice(0, spec.max);
  const headers: Record<string, string> = { "Accept-Ranges": "id, name" };
  const first = items[0];
  const last = items[items.length - 1];
  if (first && last) headers["Content-Range"] = `${spec.field} ${key(first)}..${key(last)}`;
  if (inRange.length > items.length && last) {
    headers["Next-Range"] = `${spec.field} ]${key(last)}..; max=${spec.max}${spec.desc ? ", order=desc" : ""}`;
    return { status: 206, items, headers };
  }
  return { status: 200, items, headers };
}
