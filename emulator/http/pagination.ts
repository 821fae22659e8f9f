import { ApiError } from "../errors";

/** Range-based list paging as the Platform API does it (docs/heroku-api.md section 5). */
export const DEFAULT_PAGE = 200;
export const MAX_PAGE = 1000;
/** What most lists page on; releases page on `version` too (`heroku releases`, `addons:attach`). */
export const DEFAULT_RANGE_FIELDS: readonly string[] = ["id", "name"];

interface RangeSpec {
  field: string;
  start: string;
  exclusiveStart: boolean;
  end: string;
  max: number;
  desc: boolean;
}

export function parseRange(header: string | undefined, fields = DEFAULT_RANGE_FIELDS): RangeSpec {
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
  if (!fields.includes(field)) {
    throw new ApiError(
      "requested_range_not_satisfiable",
      `Ranges on ${field} are not supported; use ${fields.join(" or ")}.`,
    );
  }
  const spec: RangeSpec = {
    ...fallback,
    field,
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

/** Numbers (release versions) compare as numbers, so v10 comes after v9. */
function compare(a: string, b: string): number {
  const numeric = /^\d+$/.test(a) && /^\d+$/.test(b);
  if (numeric) return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

export function paginate(
  all: Record<string, unknown>[],
  rangeHeader: string | undefined,
  fields = DEFAULT_RANGE_FIELDS,
): Page {
  const spec = parseRange(rangeHeader, fields);
  const key = (item: Record<string, unknown>): string => String(item[spec.field] ?? "");
  const sorted = [...all].sort((a, b) => compare(key(a), key(b)));
  if (spec.desc) sorted.reverse();
  const before = (a: string, b: string): boolean => (spec.desc ? compare(a, b) > 0 : compare(a, b) < 0);
  const inRange = sorted.filter((item) => {
    const k = key(item);
    if (spec.start !== "" && (before(k, spec.start) || (spec.exclusiveStart && k === spec.start))) return false;
    if (spec.end !== "" && before(spec.end, k)) return false;
    return true;
  });
  const items = inRange.slice(0, spec.max);
  const headers: Record<string, string> = { "Accept-Ranges": fields.join(", ") };
  const first = items[0];
  const last = items[items.length - 1];
  if (first && last) headers["Content-Range"] = `${spec.field} ${key(first)}..${key(last)}`;
  if (inRange.length > items.length && last) {
    headers["Next-Range"] = `${spec.field} ]${key(last)}..; max=${spec.max}${spec.desc ? ", order=desc" : ""}`;
    return { status: 206, items, headers };
  }
  return { status: 200, items, headers };
}
