// What the benchmark computes from what it observed: the critical path of the emulated delays, the minimum number
// of API calls, how late a client noticed each status change, and the dynamic provider's memory.
import * as fs from "node:fs";

/** Emulated delays (ms) per status machine, set with PUT /__emulator/speed. */
export interface Delays {
  "addon-provision": number;
  mtls: number;
  certificate: number;
  "ip-rule": number;
  credential: number;
}

/** The emulator's standalone speeds (emulator/machines/definitions.ts), with a slower add-on (3 s, not 1.5 s). */
export const DELAYS: Delays = {
  "addon-provision": 3000,
  mtls: 2000,
  certificate: 1000,
  "ip-rule": 1500,
  credential: 1000,
};

/**
 * Heroku-like waits (issue #16): mTLS 60 s, IP rule 30 s, credential and certificate 10 s. Shorter than Heroku's
 * documented minutes (the emulator's `heroku` preset) so that a run takes minutes, yet long enough that a fixed
 * poll interval of 20 s and a capped backoff show what they cost. The add-on keeps 3 s: the peer comparison
 * starts from an existing database, and the reference stack's chain then differs only in the waits above.
 */
export const HEROKU_LIKE: Delays = {
  "addon-provision": 3000,
  mtls: 60_000,
  certificate: 10_000,
  "ip-rule": 30_000,
  credential: 10_000,
};

/** The speed settings the bench runs at, by the name RESULTS.md gives them. */
export const SPEED_SETTINGS = { default: DELAYS, "heroku-like": HEROKU_LIKE } as const;
export type SpeedName = keyof typeof SPEED_SETTINGS;

/** The largest poll interval that still meets the goal "notice a status change within 2 s". */
export const IDEAL_POLL_INTERVAL_MS = 2000;

export interface StackShape {
  rules: number;
  credentials: number;
  certificates: number;
}

/**
 * The longest chain of emulated delays through bench/programs/reference.ts: the key (moto, no emulated delay), the
 * add-on, then MtlsConfig until its certificates are ready (enabling makes the first and the others are made at
 * once, so one certificate delay), then the allowlist until its rules are Authorized and the endpoint, enabled a
 * certificate delay earlier, is Operational, then the credentials.
 */
export function criticalPathMs(shape: StackShape, delays: Delays = DELAYS): number {
  const certificates = shape.certificates > 0 ? delays.certificate : 0;
  const usable =
    shape.rules > 0 ? Math.max(certificates + delays["ip-rule"], delays.mtls) : Math.max(certificates, delays.mtls);
  return delays["addon-provision"] + usable + (shape.credentials > 0 ? delays.credential : 0);
}

/**
 * The fewest Heroku API calls `up` could make: one create per object (enabling mTLS also makes the first
 * certificate, so that one needs no create of its own) plus ceil(delay / ideal interval) status reads per wait,
 * the ideal interval being the longest one that still notices a change within 2 s: one wait for the add-on, one
 * per certificate and credential, and one for the allowlist (its rules and the endpoint, which one read of the
 * endpoint shows together). KMS calls go to moto and are not counted (they are not Heroku API calls).
 */
export function minimumCalls(
  shape: StackShape,
  delays: Delays = DELAYS,
): { creates: number; polls: number; total: number } {
  const polls = (ms: number): number => Math.max(1, Math.ceil(ms / IDEAL_POLL_INTERVAL_MS));
  const creates = 1 + 1 + Math.max(0, shape.certificates - 1) + shape.rules + shape.credentials;
  const pollCount =
    polls(delays["addon-provision"]) +
    shape.certificates * polls(delays.certificate) +
    polls(Math.max(delays.mtls - (shape.rules > 0 ? delays.certificate : 0), shape.rules > 0 ? delays["ip-rule"] : 0)) +
    shape.credentials * polls(delays.credential);
  return { creates, polls: pollCount, total: creates + pollCount };
}

export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
  at: string | number;
}

function ms(t: string | number): number {
  return typeof t === "number" ? t : Date.parse(t);
}

interface EmulatorAddon {
  id: string;
  name: string;
  createdAt: string | number;
  mtls?: {
    createdAt: string | number;
    certificates?: { id: string; createdAt: string | number }[];
    ipRules?: { id: string; createdAt: string | number }[];
  };
  credentials?: { name: string; createdAt: string | number }[];
}

export interface NoticeDelay {
  kind: string;
  object: string;
  delayMs: number;
  /** The emulated wait this transition ended (its machine's delay). */
  waitMs: number;
}

/**
 * For every object that went through an emulated delay: the time from its transition (created + configured delay,
 * on the emulator clock, which is the wall clock here) to the first GET of that object's own path at or after it.
 * Objects never read after their transition (none expected) are left out, and so are transitions before the log
 * starts (an existing database's own provisioning, when a run starts from one).
 */
export function noticeDelays(
  state: { addons?: EmulatorAddon[] },
  log: LoggedRequest[],
  delays: Delays = DELAYS,
): NoticeDelay[] {
  const gets = log.filter((r) => r.method === "GET").map((r) => ({ path: r.path, at: ms(r.at) }));
  const logStart = Math.min(...log.map((r) => ms(r.at)));
  const out: NoticeDelay[] = [];
  const waits: Record<string, number> = {
    "add-on": delays["addon-provision"],
    mTLS: delays.mtls,
    certificate: delays.certificate,
    "IP rule": delays["ip-rule"],
    credential: delays.credential,
  };
  const notice = (kind: string, object: string, transitionAt: number, matches: (p: string) => boolean): void => {
    if (transitionAt < logStart) return;
    const first = gets.find((g) => g.at >= transitionAt && matches(g.path));
    if (first) out.push({ kind, object, delayMs: first.at - transitionAt, waitMs: waits[kind] ?? 0 });
  };
  for (const addon of state.addons ?? []) {
    notice(
      "add-on",
      addon.name,
      ms(addon.createdAt) + delays["addon-provision"],
      (p) =>
        (p.includes(addon.id) || p.includes(addon.name)) && !p.includes("/tls-endpoint") && !p.includes("/credentials"),
    );
    const m = addon.mtls;
    if (m) {
      const operational = ms(m.createdAt) + delays.mtls;
      notice("mTLS", addon.name, operational, (p) => p.endsWith("/tls-endpoint"));
      // MtlsConfig waits for its certificates while the endpoint provisions (SecurePostgres's wiring), so every
      // certificate's readiness counts.
      for (const c of m.certificates ?? [])
        notice("certificate", c.id, ms(c.createdAt) + delays.certificate, (p) => p.endsWith(`/certificates/${c.id}`));
      // A list read shows every rule's status, and so does the endpoint's own read (active_ip_rules lists the
      // Authorized ones), so either notices as well as a read of the rule itself.
      for (const r of m.ipRules ?? [])
        notice(
          "IP rule",
          r.id,
          ms(r.createdAt) + delays["ip-rule"],
          (p) =>
            p.endsWith(`/ip-rules/${r.id}`) ||
            ((p.includes(addon.name) || p.includes(addon.id)) &&
              (p.endsWith("/ip-rules") || p.endsWith("/tls-endpoint"))),
        );
    }
    for (const c of addon.credentials ?? [])
      notice(
        "credential",
        c.name,
        ms(c.createdAt) + delays.credential,
        (p) =>
          p.endsWith(`/credentials/${encodeURIComponent(c.name)}`) ||
          ((p.includes(addon.name) || p.includes(addon.id)) && p.endsWith("/credentials")),
      );
  }
  return out;
}

export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/** Process ids below `root` (children, grandchildren, ...), from /proc. */
function descendants(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parentOf.set(Number(entry), Number(fields[1]));
    } catch {
      // the process ended while we looked
    }
  }
  const below = new Set<number>([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parentOf) {
      if (!below.has(pid) && below.has(ppid)) {
        below.add(pid);
        grew = true;
      }
    }
  }
  below.delete(root);
  return [...below];
}

function kib(status: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
  return m ? Number(m[1]) : 0;
}

/**
 * Samples, every 200 ms, the dynamic provider processes this benchmark started (descendants of this process whose
 * command line is the Node.js dynamic provider): their peak resident set (VmHWM, so peaks between samples count).
 */
export function sampleProviderMemory(): { stop(): { peakKiB: number; processes: number } } {
  const peaks = new Map<number, number>();
  const tick = (): void => {
    for (const pid of descendants(process.pid)) {
      try {
        const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
        if (!cmd.includes("dynamic-provider") && !cmd.includes("pulumi-resource-pulumi-nodejs")) continue;
        const hwm = kib(fs.readFileSync(`/proc/${pid}/status`, "utf8"), "VmHWM");
        peaks.set(pid, Math.max(peaks.get(pid) ?? 0, hwm));
      } catch {
        // gone
      }
    }
  };
  const timer = setInterval(tick, 200);
  return {
    stop: () => {
      clearInterval(timer);
      tick();
      return { peakKiB: Math.max(0, ...peaks.values()), processes: peaks.size };
    },
  };
}
