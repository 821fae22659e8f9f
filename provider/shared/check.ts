import { UNKNOWN } from "./unknown";

/** One rejected input, in the shape Pulumi's `check` returns: the field and the rule it broke. */
export interface CheckFailure {
  property: string;
  reason: string;
}

/** True when check must let the value through because Pulumi does not know it yet (preview). */
export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}

/** Collects failures; each helper skips unknown values and returns whether the value passed. */
export class Failures {
  readonly list: CheckFailure[] = [];

  add(property: string, reason: string): void {
    this.list.push({ property, reason });
  }

  optionalString(property: string, value: unknown): value is string | undefined {
    if (value === undefined || isUnknown(value) || typeof value === "string") return true;
    this.add(property, `${property} must be a string`);
    return false;
  }

  requiredString(property: string, value: unknown): value is string {
    if (isUnknown(value)) return true;
    if (typeof value === "string" && value.length > 0) return true;
    this.add(property, `${property} is required and must be a non-empty string`);
    return false;
  }

  optionalBoolean(property: string, value: unknown): value is boolean | undefined {
    if (value === undefined || isUnknown(value) || typeof value === "boolean") return true;
    this.add(property, `${property} must be true or false`);
    return false;
  }

  /** An optional whole number within [min, max], both inclusive. */
  optionalIntegerInRange(property: string, value: unknown, min: number, max: number, unit: string): void {
    if (value === undefined || isUnknown(value)) return;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      this.add(property, `${property} must be a whole number of ${unit} from ${min} to ${max}, got ${String(value)}`);
    }
  }
}
