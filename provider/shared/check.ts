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

/** Echoed values are cut to this many characters (a key ARN fits; a 10 KB description is not repeated back whole). */
export const MAX_ECHOED_CHARACTERS = 80;

/** A value for a message: quoted as JSON, cut to a short prefix with its length when it is long. */
export function echo(value: unknown): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  if (text.length <= MAX_ECHOED_CHARACTERS) return typeof value === "string" ? JSON.stringify(value) : text;
  return `${JSON.stringify(text.slice(0, MAX_ECHOED_CHARACTERS))}... (${text.length} characters)`;
}

/**
 * Failures as `check` hands them to Pulumi. The engine prints a failure that has a property as "property P value
 * {<the whole value>} has a problem: <reason>" (pulumi/pkg resource/deploy step_generator.go, issueCheckFailures),
 * which repeats the field and echoes a value of any size; without one it prints "<type> resource '<name>' has a
 * problem: <reason>". Every reason here names its field, so the property moves into the reason.
 */
export function asReported(failures: readonly CheckFailure[]): CheckFailure[] {
  return failures.map((f) => ({
    property: "",
    reason: f.property === "" || startsWithField(f.reason, f.property) ? f.reason : `${f.property}: ${f.reason}`,
  }));
}

function startsWithField(reason: string, property: string): boolean {
  return reason.startsWith(property) && !/[A-Za-z0-9_]/.test(reason.charAt(property.length));
}

/** The rule for a name Heroku answered 403 or 404 for: it does not exist, or this token's account cannot see it. */
export function absentProblem(field: string, what: string, name: string, status: 403 | 404): string {
  return status === 404
    ? `${field}: ${what} ${echo(name)} does not exist at Heroku (it answered 404); check the spelling`
    : `${field}: ${what} ${echo(name)} is not visible to the account of HEROKU_API_KEY (Heroku answered 403); use a token of its team or fix the name`;
}
