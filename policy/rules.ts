// The policies' judgements as pure functions of one resource's inputs and the stack's policy config, so they
// can be tested from tables (tests/unit/policy). Each returns the violation messages: what is wrong with which
// resource, and the fix. A value that is unknown during preview is not judged; `up` runs the rules again on the
// known value.
import { parseIpv4Cidr } from "../provider/ip-rule/validation";
import { planTier } from "../provider/secure-database/validation";
import type { ResourceKind } from "../sdk/type-tokens";
import type {
  AllowlistConfig,
  CustomerKeyConfig,
  KeyRotationConfig,
  ProtectionConfig,
  ReadWriteConfig,
  RotationAgeConfig,
} from "./config";
import { UNKNOWN } from "./settle";

/** One resource as the rules see it: settled inputs (see settle.ts) and the options that matter. */
export interface ResourceView {
  kind: ResourceKind;
  /** The Pulumi resource name. */
  name: string;
  /** The stack it belongs to (from its URN). */
  stack: string;
  props: Record<string, unknown>;
  protect: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** The rotationTrigger convention: the date of the last rotation, optionally followed by a note. */
const ROTATION_DATE = /^(\d{4}-\d{2}-\d{2})(?:$|[^0-9])/;

const label = (r: ResourceView): string => `${r.kind} "${r.name}"`;

/** The blocks a resource allows: an IpRule's one, or an IpAllowlist's entries (a list, or keyed by CIDR once checked). */
function allowedBlocks(r: ResourceView): { cidr: string; acknowledgeWideCidr: boolean }[] {
  if (r.kind === "IpRule") {
    return typeof r.props.cidr === "string"
      ? [{ cidr: r.props.cidr, acknowledgeWideCidr: r.props.acknowledgeWideCidr === true }]
      : [];
  }
  if (r.kind !== "IpAllowlist") return [];
  const entries = r.props.entries;
  const pairs: [unknown, unknown][] = Array.isArray(entries)
    ? entries.map((e) => [e !== null && typeof e === "object" ? (e as Record<string, unknown>).cidr : undefined, e])
    : entries !== null && typeof entries === "object"
      ? Object.entries(entries as Record<string, unknown>)
      : [];
  return pairs.flatMap(([cidr, e]) =>
    typeof cidr === "string"
      ? [
          {
            cidr,
            acknowledgeWideCidr:
              e !== null && typeof e === "object" && (e as Record<string, unknown>).acknowledgeWideCidr === true,
          },
        ]
      : [],
  );
}

export function checkAllowlistWidth(r: ResourceView, cfg: AllowlistConfig): string[] {
  return allowedBlocks(r).flatMap((block) => {
    const parsed = parseIpv4Cidr(block.cidr);
    // A malformed block is refused by the resource's own check, with a better message.
    if (!parsed.ok || parsed.cidr.prefix >= cfg.minPrefix) return [];
    const acknowledged = block.acknowledgeWideCidr ? " (acknowledgeWideCidr does not lift this rule)" : "";
    return [
      `${label(r)} allows ${block.cidr}, a /${parsed.cidr.prefix} block; this stack allows blocks of ` +
        `/${cfg.minPrefix} or narrower${acknowledged}. Fix: allowlist the narrower blocks the clients really use, ` +
        `or lower minPrefix for this stack in its policy-pack config.`,
    ];
  });
}

export function checkCustomerKey(r: ResourceView, cfg: CustomerKeyConfig): string[] {
  if (r.kind !== "SecureDatabase" || typeof r.props.plan !== "string") return [];
  const tier = planTier(r.props.plan);
  if (tier === undefined || !cfg.tiers.includes(tier)) return [];
  if (r.props.encryptionKeyArn === UNKNOWN || typeof r.props.encryptionKeyArn === "string") return [];
  return [
    `${label(r)} on ${r.props.plan} is not encrypted with a customer key. Fix: set encryptionKeyArn to a ` +
      `CustomerKey's arn (or use SecurePostgres, which makes one); on an existing database this replaces it ` +
      `with a new, empty one, so migrate the data with a follower.`,
  ];
}

export function checkKeyRotation(r: ResourceView, cfg: KeyRotationConfig): string[] {
  if (r.kind !== "CustomerKey") return [];
  if (r.props.enableKeyRotation === false) {
    return [`${label(r)} has automatic rotation off. Fix: remove enableKeyRotation: false (rotation is the default).`];
  }
  const period = r.props.rotationPeriodInDays;
  if (typeof period === "number" && period > cfg.maxRotationPeriodDays) {
    return [
      `${label(r)} rotates every ${period} days; this stack allows at most ${cfg.maxRotationPeriodDays}. ` +
        `Fix: set rotationPeriodInDays to ${cfg.maxRotationPeriodDays} or less.`,
    ];
  }
  return [];
}

function attachedApps(props: Record<string, unknown>): string[] {
  const list = Array.isArray(props.attachments) ? (props.attachments as unknown[]) : [];
  return list
    .map((a) => (a !== null && typeof a === "object" ? (a as Record<string, unknown>).app : undefined))
    .filter((app): app is string => typeof app === "string");
}

export function checkReadWriteApps(r: ResourceView, cfg: ReadWriteConfig): string[] {
  if (r.kind !== "Credential" || r.props.permissions !== "read-write") return [];
  return attachedApps(r.props)
    .filter((app) => !cfg.allowedApps.includes(app))
    .map(
      (app) =>
        `${label(r)} is read-write and attached to app ${app}, which is not in this stack's allowedApps ` +
        `(${cfg.allowedApps.length > 0 ? cfg.allowedApps.join(", ") : "none"}). Fix: attach a read-only ` +
        `credential to ${app}, or add ${app} to allowedApps in the stack's policy-pack config.`,
    );
}

export function checkProtection(r: ResourceView, cfg: ProtectionConfig): string[] {
  if ((r.kind !== "SecureDatabase" && r.kind !== "CustomerKey") || r.protect) return [];
  if (!new RegExp(cfg.stackPattern).test(r.stack)) return [];
  return [
    `${label(r)} is not protected, and stack ${r.stack} matches ${cfg.stackPattern}, where a deletion or ` +
      `replacement must fail instead of happening. Fix: set protect: true on it (SecurePostgres does unless ` +
      `protect: false).`,
  ];
}

/** Whole days from the rotationTrigger's date to `now`, or a reason it does not follow the convention. */
export function rotationAgeDays(trigger: string, now: Date): number | string {
  const date = ROTATION_DATE.exec(trigger)?.[1];
  const at = date === undefined ? NaN : Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(at)) return `rotationTrigger ${JSON.stringify(trigger)} does not start with a date (YYYY-MM-DD)`;
  return Math.floor((now.getTime() - at) / DAY_MS);
}

export function checkRotationAge(r: ResourceView, cfg: RotationAgeConfig, now: Date): string[] {
  if (r.kind !== "Credential" || r.props.rotationTrigger === UNKNOWN) return [];
  const today = now.toISOString().slice(0, 10);
  const fix = `Fix: set rotationTrigger to today's date ("${today}"), which rotates the password now.`;
  const trigger = r.props.rotationTrigger;
  if (typeof trigger !== "string" || trigger === "") {
    return [`${label(r)} has no rotationTrigger, so nothing records when its password was last rotated. ${fix}`];
  }
  const age = rotationAgeDays(trigger, now);
  if (typeof age === "string") return [`${label(r)}: ${age}. ${fix}`];
  if (age <= cfg.maxAgeDays) return [];
  return [
    `${label(r)} was last rotated on ${trigger.slice(0, 10)}, ${age} days ago; this stack allows ` +
      `${cfg.maxAgeDays}. ${fix}`,
  ];
}
