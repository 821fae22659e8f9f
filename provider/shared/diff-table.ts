import { deepEqual } from "./equality";
import { containsUnknown } from "./unknown";

/**
 * How a change to one field is applied:
 * - `replace`: the object cannot be changed in place (a new one is created);
 * - `update`: `update` applies it in place;
 * - `output`: computed by the provider, never compared;
 * - `stored`: an input kept in state for the provider's own use, never compared (the resume key: see
 *   sdk/resume-key.ts; it must not turn into a diff for stacks made before it existed).
 */
export type FieldKind = "replace" | "update" | "output" | "stored";

/** Every field of a resource, declared once. Keys are the resource's input and output names. */
export type DiffTable<Fields extends string = string> = Readonly<Record<Fields, FieldKind>>;

export interface TableDiff {
  changes: boolean;
  replaces: string[];
  /** Fields whose value changed, in table order (for tests and messages; the host ignores them). */
  updates: string[];
  deleteBeforeReplace: boolean;
}

export interface DiffOptions {
  /**
   * Replacing must delete first when the new object would collide with the old one (a fixed, globally unique
   * name). Called only when something is replaced.
   */
  deleteBeforeReplace?: (olds: Record<string, unknown>, news: Record<string, unknown>) => boolean;
  /**
   * Fields whose equality is not plain structural equality: two spellings of one object (a database by name or
   * by id) are no change at all.
   */
  sameValue?: Readonly<Record<string, (olds: Record<string, unknown>, news: Record<string, unknown>) => boolean>>;
}

/**
 * The one diff every resource uses. `olds` are the stored outputs (hooks store every input in them), `news`
 * the checked inputs. An unknown value (preview) counts as changed, so a replace-field that is still unknown
 * shows as a replacement rather than silently as no change.
 */
export function diffFromTable(
  table: DiffTable,
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  options: DiffOptions = {},
): TableDiff {
  const replaces: string[] = [];
  const updates: string[] = [];
  for (const [field, kind] of Object.entries(table)) {
    if (kind === "output" || kind === "stored") continue;
    const same = options.sameValue?.[field];
    const changed = same ? !same(olds, news) : containsUnknown(news[field]) || !deepEqual(olds[field], news[field]);
    if (!changed) continue;
    (kind === "replace" ? replaces : updates).push(field);
  }
  const changes = replaces.length > 0 || updates.length > 0;
  const deleteBeforeReplace = replaces.length > 0 && (options.deleteBeforeReplace?.(olds, news) ?? false);
  return { changes, replaces, updates, deleteBeforeReplace };
}

/** The fields of a table that are inputs (everything but outputs). */
export function inputFields(table: DiffTable): string[] {
  return Object.entries(table)
    .filter(([, kind]) => kind !== "output")
    .map(([field]) => field);
}

/**
 * The inputs stored among a resource's outputs, for `read` to return as `inputs` (so refresh shows drift of what
 * the program declares). `omit` drops fields that are compared but not inputs of the program (a derived policy).
 */
export function inputsOf<T>(table: DiffTable, outs: object, omit: readonly string[] = []): T {
  const fields = new Set(inputFields(table).filter((f) => !omit.includes(f)));
  return Object.fromEntries(Object.entries(outs).filter(([k]) => fields.has(k))) as T;
}
