import type { Speed } from "../store/types";

/**
 * Every status machine the emulator runs, declared as data. A machine moves one field of an object from a waiting
 * state to a target; how fast is its Speed, which tests change through PUT /__emulator/speed.
 */
export interface MachineDef {
  /** The states this machine leaves, and where each one goes (a target may be chosen at begin time instead). */
  transitions: Record<string, string>;
  /** Standalone default: slow enough that clients must really poll, fast enough to use by hand. */
  defaultSpeed: Speed;
}

export const MACHINES: Record<string, MachineDef> = {
  // provisioning -> provisioned, or deprovisioned when a BYOK check failed (the target is fixed when it starts).
  "addon-provision": { transitions: { provisioning: "provisioned|deprovisioned" }, defaultSpeed: { ms: 1500 } },
  // deprovisioning -> gone: the add-on disappears and GET answers 404.
  "addon-deprovision": { transitions: { deprovisioning: "gone" }, defaultSpeed: { ms: 1000 } },
  "enhanced-certificates": {
    transitions: { Provisioning: "Enabled", Deprovisioning: "Disabled" },
    defaultSpeed: { ms: 2000 },
  },
  // Declared now so /speed accepts them; the mTLS and credential features drive them.
  mtls: { transitions: { Provisioning: "Operational", Deprovisioning: "gone" }, defaultSpeed: { ms: 2000 } },
  certificate: { transitions: { pending: "ready", disabling: "gone" }, defaultSpeed: { ms: 1000 } },
  "ip-rule": { transitions: { Authorizing: "Authorized" }, defaultSpeed: { ms: 1500 } },
  credential: { transitions: { provisioning: "active", revoking: "gone" }, defaultSpeed: { ms: 1000 } },
  rotation: { transitions: { rotating: "active" }, defaultSpeed: { ms: 1500 } },
  // A plan change in place (PATCH of the add-on): Heroku first prepares the new server while the database stays
  // available, then changes over with a short unavailability (domain/plan-change.ts).
  "plan-change": { transitions: { preparing: "changing" }, defaultSpeed: { ms: 1500 } },
  "plan-changeover": { transitions: { changing: "done" }, defaultSpeed: { ms: 1000 } },
  // A fork made by unfollow cannot be followed for a while (domain/followers.ts).
  "fork-follow": { transitions: { preparing: "available" }, defaultSpeed: { ms: 1000 } },
};

export function defaultSpeeds(): Record<string, Speed> {
  return Object.fromEntries(Object.entries(MACHINES).map(([name, def]) => [name, def.defaultSpeed]));
}

export function parseSpeed(value: unknown): Speed | undefined {
  if (value === "immediate") return "immediate";
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.polls === "number" && Number.isInteger(v.polls) && v.polls >= 0) return { polls: v.polls };
  if (typeof v.ms === "number" && v.ms >= 0) return { ms: v.ms };
  return undefined;
}
