// Sorts the steps of a preview into what a reviewer must weigh: data at risk, access opened, access paused or
// removed, restarts, and everything else. Pure: tested from tables in tests/unit/review. Lines quote only names,
// blocks, permission levels, apps and certificate names: never a value of a secret field, and never a value that
// is not a plain string (a secret in preview JSON is an object).
import { planEntryChanges } from "../provider/ip-allowlist/diff-table";
import type { IpAllowlistEntry } from "../provider/ip-allowlist/types";
import { kindOfType, type ResourceKind } from "../sdk/type-tokens";
import { nameOfUrn, type PreviewStep, type ResourceState } from "./preview-json";

export type Section = "dataAtRisk" | "accessOpened" | "accessPaused" | "restarts" | "other";
export interface Finding {
  section: Section;
  text: string;
}

const PERMISSION_ORDER = ["none", "read-only", "read-write"];
/** Heroku restarts an app's dynos when its config vars change (attach, detach, a rotated password). */
const RESTART = "attached apps restart";
/** Steps that show nothing a reviewer acts on; the replacement halves are read only for their order. */
const SILENT_OPS = new Set(["same", "read", "refresh", "create-replacement", "delete-replaced", "discard"]);

interface Change {
  kind: ResourceKind;
  label: string;
  op: string;
  olds: Record<string, unknown>;
  news: Record<string, unknown>;
  /** Where the engine shows the replacement's delete before its create (`--show-replacement-steps`). */
  deleteFirst: boolean | undefined;
  database: string;
  /** Resume keys of the IpRules this preview deletes (an allowlist that supersedes one takes its rule over). */
  retiredRuleKeys: ReadonlySet<unknown>;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strings = (v: unknown): string[] => list(v).filter((x): x is string => typeof x === "string");
const rank = (level: unknown): number => {
  const i = typeof level === "string" ? PERMISSION_ORDER.indexOf(level) : -1;
  return i === -1 ? PERMISSION_ORDER.length : i;
};
const apps = (v: unknown): string[] =>
  list(v)
    .map((a) => (a !== null && typeof a === "object" ? str((a as Record<string, unknown>).app) : undefined))
    .filter((a): a is string => a !== undefined);
const minus = (a: string[], b: string[]): string[] => a.filter((x) => !b.includes(x));
const sameValue = (a: unknown, b: unknown): boolean => a === b || JSON.stringify(a) === JSON.stringify(b);

/** The database a child names, as the resource name the `database` input came from where the preview shows it. */
function databaseOf(state: ResourceState | undefined): string {
  const from = state?.propertyDependencies?.database?.[0];
  if (from !== undefined) return `database "${nameOfUrn(from)}"`;
  const given = str(state?.inputs?.database);
  return given !== undefined && !given.includes("04da6b54") ? `database ${given}` : "its database";
}

function databaseFindings(c: Change): Finding[] {
  if (c.op === "replace") {
    return [
      risk(`${c.label} is replaced: a new, empty database (${str(c.news.plan) ?? "same plan"}) instead of this one`),
    ];
  }
  if (c.op === "delete") return [risk(`${c.label} is deleted, with its data`)];
  const findings: Finding[] = [];
  if (c.op === "update" && c.olds.plan !== c.news.plan) {
    // Heroku changes a plan in place and the database is briefly unavailable at the changeover (README, "Plan changes").
    findings.push(
      restart(
        `${c.label}: plan ${str(c.olds.plan) ?? "?"} -> ${str(c.news.plan) ?? "?"} in place; the database is briefly unavailable at the changeover`,
      ),
    );
  }
  if (c.op === "update" && c.olds.enhancedCertificates !== c.news.enhancedCertificates) {
    const on = c.news.enhancedCertificates === true ? "on" : "off";
    findings.push(restart(`${c.label}: Enhanced Certificates ${on}; the connection URL changes and ${RESTART}`));
  }
  return findings;
}

function keyFindings(c: Change): Finding[] {
  const scheduled = (s: Record<string, unknown>): boolean => s.removalPolicy === "schedule-deletion";
  if ((c.op === "delete" || c.op === "replace") && scheduled(c.olds)) {
    const days = c.olds.deletionWindowInDays ?? 30;
    return [risk(`${c.label} is scheduled for deletion in ${days} days: databases encrypted with it stop for good`)];
  }
  if (c.op === "update" && c.news.enabled === false && c.olds.enabled !== false) {
    return [risk(`${c.label} is disabled: every database encrypted with it shuts down`)];
  }
  return [];
}

function ruleFindings(c: Change): Finding[] {
  const block = (s: Record<string, unknown>): string => {
    const cidr = str(s.cidr) ?? "a block";
    const wide = s.acknowledgeWideCidr === true ? " (wide block, acknowledged with acknowledgeWideCidr)" : "";
    return `${cidr}${str(s.description) ? ` ("${s.description}")` : ""}${wide}`;
  };
  const opened = (): Finding => open(`${c.label} allows ${block(c.news)} on ${c.database}`);
  const removed = (): Finding => paused(`${c.label} no longer allows ${block(c.olds)} on ${c.database}`);
  if (c.op === "create") return [opened()];
  if (c.op === "delete") return [removed()];
  if (c.op !== "replace") return [];
  if (c.deleteFirst ?? c.olds.cidr === c.news.cidr) {
    return [
      paused(
        `${c.label}: access from ${str(c.news.cidr) ?? "the block"} pauses: the rule is deleted and made again ` +
          `(${block(c.olds)} becomes ${block(c.news)}), refused until Heroku authorizes it (10-15 minutes)`,
      ),
    ];
  }
  return [opened(), removed()];
}

/** An IpAllowlist's blocks by CIDR, from its checked inputs (keyed) or the program's list; unknown counts as none. */
function allowlistEntries(s: Record<string, unknown>): Record<string, IpAllowlistEntry> {
  const entries = s.entries;
  if (Array.isArray(entries)) {
    return Object.fromEntries(
      entries.flatMap((e) => {
        const x = e !== null && typeof e === "object" ? (e as Record<string, unknown>) : {};
        return typeof x.cidr === "string" ? [[x.cidr, x as unknown as IpAllowlistEntry]] : [];
      }),
    );
  }
  return entries !== null && typeof entries === "object" ? (entries as Record<string, IpAllowlistEntry>) : {};
}

function allowlistFindings(c: Change): Finding[] {
  const was = c.op === "create" ? {} : allowlistEntries(c.olds);
  const now = c.op === "delete" ? {} : allowlistEntries(c.news);
  const block = (cidr: string, e: IpAllowlistEntry | undefined): string => {
    const wide = e?.acknowledgeWideCidr === true ? " (wide block, acknowledged with acknowledgeWideCidr)" : "";
    return `${cidr}${str(e?.description) ? ` ("${e?.description}")` : ""}${wide}`;
  };
  // A replacement moves the allowlist to another database: every block is allowed there and removed here.
  const changes =
    c.op === "replace"
      ? { added: Object.keys(now).sort(), removed: Object.keys(was).sort(), redescribed: [], acknowledged: [] }
      : planEntryChanges(was, now);
  const superseded = c.news.supersedesIpRules;
  return [
    ...changes.added.map((cidr) =>
      superseded !== null &&
      typeof superseded === "object" &&
      c.retiredRuleKeys.has((superseded as Record<string, unknown>)[cidr])
        ? other(`${c.label} allows ${block(cidr, now[cidr])} on ${c.database}, taking over the IpRule that allowed it`)
        : open(`${c.label} allows ${block(cidr, now[cidr])} on ${c.database}`),
    ),
    ...changes.removed.map((cidr) => paused(`${c.label} no longer allows ${block(cidr, was[cidr])} on ${c.database}`)),
    ...changes.redescribed.map((cidr) =>
      paused(
        `${c.label}: access from ${cidr} pauses: the rule is deleted and made again (${block(cidr, was[cidr])} ` +
          `becomes ${block(cidr, now[cidr])}), refused until Heroku authorizes it (10-15 minutes)`,
      ),
    ),
  ];
}

function mtlsFindings(c: Change): Finding[] {
  const was = strings(c.olds.certificateNames);
  const now = strings(c.news.certificateNames);
  if (c.op === "create") return [open(`${c.label}: mTLS on ${c.database}; certificates issued: ${now.join(", ")}`)];
  if (c.op === "delete") return [paused(`${c.label}: mTLS off on ${c.database}; every certificate is revoked`)];
  if (c.op === "replace") {
    return [paused(`${c.label} is replaced: certificates ${was.join(", ")} are revoked and issued anew`)];
  }
  const out: Finding[] = [];
  const issued = minus(now, was);
  const revoked = minus(was, now);
  if (issued.length > 0) out.push(open(`${c.label}: certificates issued: ${issued.join(", ")}`));
  if (revoked.length > 0) {
    out.push(paused(`${c.label}: certificates revoked: ${revoked.join(", ")} (their holders are cut off at once)`));
  }
  return out;
}

function credentialFindings(c: Change): Finding[] {
  const describe = (s: Record<string, unknown>): string => {
    const to = apps(s.attachments);
    return `${str(s.permissions) ?? "none"}${to.length > 0 ? `, attached to ${to.join(", ")}` : ""}`;
  };
  if (c.op === "create") return [open(`${c.label}: new credential on ${c.database} (${describe(c.news)})`)];
  if (c.op === "delete") return [paused(`${c.label} is removed (was ${describe(c.olds)}); ${RESTART}`)];
  if (c.op === "replace") {
    return [paused(`${c.label} is deleted and made again: its apps lose access until it is back; ${RESTART}`)];
  }
  if (c.op !== "update") return [];
  const out: Finding[] = [];
  const from = str(c.olds.permissions) ?? "none";
  const to = str(c.news.permissions) ?? "none";
  if (rank(to) > rank(from)) out.push(open(`${c.label}: permission raised from ${from} to ${to}`));
  if (rank(to) < rank(from)) out.push(paused(`${c.label}: permission lowered from ${from} to ${to}`));
  const attached = minus(apps(c.news.attachments), apps(c.olds.attachments));
  const detached = minus(apps(c.olds.attachments), apps(c.news.attachments));
  if (attached.length > 0) out.push(open(`${c.label} attached to ${attached.join(", ")} (${to}); ${RESTART}`));
  if (detached.length > 0) out.push(paused(`${c.label} detached from ${detached.join(", ")}; those apps restart`));
  // A trigger passed as a secret is an object in preview JSON: compared by content, never printed.
  if (c.news.rotationTrigger !== undefined && !sameValue(c.olds.rotationTrigger, c.news.rotationTrigger)) {
    const force = c.news.forceRotation === true ? ", open connections are ended at once" : "";
    out.push(restart(`${c.label}: password rotates${force}; ${RESTART}`));
  }
  return out;
}

const risk = (text: string): Finding => ({ section: "dataAtRisk", text });
const open = (text: string): Finding => ({ section: "accessOpened", text });
const paused = (text: string): Finding => ({ section: "accessPaused", text });
const restart = (text: string): Finding => ({ section: "restarts", text });
const other = (text: string): Finding => ({ section: "other", text });

const BY_KIND: Partial<Record<ResourceKind, (c: Change) => Finding[]>> = {
  SecureDatabase: databaseFindings,
  CustomerKey: keyFindings,
  IpRule: ruleFindings,
  IpAllowlist: allowlistFindings,
  MtlsConfig: mtlsFindings,
  Credential: credentialFindings,
};

const OP_SIGN: Record<string, string> = { create: "+", update: "~", delete: "-", replace: "+-" };

/** Every finding of a preview, in step order; changes with nothing to weigh become one `other` line each. */
export function classify(steps: PreviewStep[]): Finding[] {
  const order = (urn: string, op: string): number => steps.findIndex((s) => s.urn === urn && s.op === op);
  const findings: Finding[] = [];
  // SecurePostgres's upgrade: an allowlist created in this preview takes over the rules of the IpRules it
  // supersedes, and those IpRules' deletes keep the rules.
  const retiredRuleKeys = new Set(
    steps.flatMap((s) =>
      s.op === "delete" && kindOfType(s.oldState?.type ?? "") === "IpRule" ? [s.oldState?.inputs?.resumeKey] : [],
    ),
  );
  const superseded = new Set(
    steps.flatMap((s) => {
      const keys =
        s.op === "create" && kindOfType(s.newState?.type ?? "") === "IpAllowlist"
          ? s.newState?.inputs?.supersedesIpRules
          : undefined;
      return keys !== null && typeof keys === "object" ? Object.values(keys as Record<string, unknown>) : [];
    }),
  );
  for (const step of steps) {
    if (SILENT_OPS.has(step.op)) continue;
    const type = step.newState?.type ?? step.oldState?.type ?? "";
    if (type === "pulumi:pulumi:Stack") continue;
    const kind = kindOfType(type);
    const name = nameOfUrn(step.urn);
    const deleteAt = order(step.urn, "delete-replaced");
    const createAt = order(step.urn, "create-replacement");
    const change: Change | undefined =
      kind === undefined
        ? undefined
        : {
            kind,
            label: `${kind} "${name}"`,
            op: step.op,
            olds: step.oldState?.inputs ?? {},
            news: step.newState?.inputs ?? {},
            deleteFirst: deleteAt >= 0 && createAt >= 0 ? deleteAt < createAt : undefined,
            database: databaseOf(step.newState ?? step.oldState),
            retiredRuleKeys,
          };
    if (change?.kind === "IpRule" && change.op === "delete" && superseded.has(change.olds.resumeKey)) {
      findings.push(
        other(
          `- IpRule "${name}": leaves the stack; its rule for ${str(change.olds.cidr) ?? "the block"} stays, taken over by the allowlist`,
        ),
      );
      continue;
    }
    const found = change === undefined ? [] : (BY_KIND[change.kind]?.(change) ?? []);
    if (found.length > 0) {
      findings.push(...found);
      continue;
    }
    const fields = step.op === "update" ? (step.diffReasons ?? []).join(", ") : "";
    const short = kind ?? type.split(":").at(-1) ?? type;
    findings.push({
      section: "other",
      text: `${OP_SIGN[step.op] ?? step.op} ${short} "${name}"${fields ? ` (${fields})` : ""}`,
    });
  }
  return findings;
}
