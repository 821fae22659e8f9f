// @pulumi/policy hands policies a proxy that throws UnknownValueError on any value not known during preview (a
// database id while the database is being created), which turns the whole policy into an advisory "can't run".
// Rules here want to skip just the one check that needs the value, so props are first copied into plain data
// with such values replaced by UNKNOWN.
import { UnknownValueError } from "@pulumi/policy";

export const UNKNOWN: unique symbol = Symbol("unknown during preview");
export type Unknown = typeof UNKNOWN;

/** A plain copy of a props proxy; values unknown during preview become UNKNOWN. */
export function settle(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  const source = value as Record<string | number, unknown>;
  const read = (key: string | number): unknown => {
    try {
      return settle(source[key]);
    } catch (err) {
      if (err instanceof UnknownValueError) return UNKNOWN;
      throw err;
    }
  };
  if (Array.isArray(value)) return Array.from({ length: value.length }, (_, i) => read(i));
  return Object.fromEntries(Object.keys(source).map((k) => [k, read(k)]));
}
