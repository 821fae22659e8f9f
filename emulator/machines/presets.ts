import type { Speed } from "../store/types";
import { defaultSpeeds, MACHINES } from "./definitions";

/**
 * Named sets of speeds for every machine, chosen at start (`--speeds NAME --speed-factor F`) or through
 * `PUT /__emulator/speed {"preset": NAME, "factor": F}`. "heroku" is for runs that want Heroku's timing; its values
 * are what Heroku's own documentation and clients report, each in a comment.
 */
const MINUTE = 60_000;

const HEROKU_MS: Record<string, number> = {
  // Not documented as a number; Private and Shield databases take minutes to provision, removal is quicker.
  "addon-provision": 5 * MINUTE,
  "addon-deprovision": 1 * MINUTE,
  // Dev Center, "Heroku Data Labs: Enhanced Certificates for Heroku Postgres": "15 minutes or more".
  "enhanced-certificates": 15 * MINUTE,
  // Dev Center, "Connecting to a Private or Shield Heroku Postgres Database from an External Resource":
  // "It typically takes 5-10 minutes to enable Mutual TLS".
  mtls: 7.5 * MINUTE,
  // Not documented; terraform-provider-herokux allows a certificate 10 minutes, so a couple is a fair guess.
  certificate: 2 * MINUTE,
  // The same article: "It usually takes a few minutes to allowlist your external IPs".
  "ip-rule": 3 * MINUTE,
  // Not documented; a minute, so that clients must wait for "active" as `pg:credentials` shows it.
  credential: 1 * MINUTE,
  // The shortest a rotation without force shows "rotating" before the old user's connections are checked.
  rotation: 1 * MINUTE,
  // Dev Center, "Changing the Plan or Infrastructure of a Heroku Postgres Database": addons:upgrade "requires up to
  // several hours to prepare a replacement" and "less than 1 minute of downtime during the changeover".
  "plan-change": 60 * MINUTE,
  "plan-changeover": 45_000,
  // Dev Center, "Heroku Postgres Follower Databases": followers can't be created for a period on newly forked
  // databases (forks made by unfollow too), "typically between a few minutes and a few hours".
  "fork-follow": 30 * MINUTE,
};

export const PRESETS = ["standalone", "immediate", "heroku"] as const;
export type PresetName = (typeof PRESETS)[number];

export function isPreset(name: unknown): name is PresetName {
  return typeof name === "string" && (PRESETS as readonly string[]).includes(name);
}

/**
 * Every machine's speed under a preset. `factor` scales time-based speeds (0.01 turns 5 minutes into 3 s), so a
 * run keeps Heroku's proportions without its wall-clock time; poll-counted and immediate speeds do not scale.
 */
export function presetSpeeds(name: PresetName, factor = 1): Record<string, Speed> {
  if (!(factor > 0) || !Number.isFinite(factor))
    throw new Error(`speed factor must be a number above 0, got ${factor}`);
  const base: Record<string, Speed> =
    name === "immediate"
      ? Object.fromEntries(Object.keys(MACHINES).map((m) => [m, "immediate" as const]))
      : name === "heroku"
        ? Object.fromEntries(Object.keys(MACHINES).map((m) => [m, { ms: HEROKU_MS[m] ?? 0 }]))
        : defaultSpeeds();
  return Object.fromEntries(
    Object.entries(base).map(([m, s]) => [
      m,
      typeof s === "object" && "ms" in s ? { ms: Math.round(s.ms * factor) } : s,
    ]),
  );
}
