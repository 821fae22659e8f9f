import * as fs from "node:fs";
import * as path from "node:path";
import type { Seed, State } from "./types";
import { defaultSpeeds } from "../machines/definitions";

/** state.json holds database passwords, so it is written owner-only and replaced atomically (write, then rename). */
export function saveState(file: string, state: State): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2), { mode: 0o600 });
  fs.renameSync(tmp, file);
}

export function loadState(file: string): State | undefined {
  if (!fs.existsSync(file)) return undefined;
  const state = JSON.parse(fs.readFileSync(file, "utf8")) as State;
  // Machines added in a later version get their defaults.
  state.speeds = { ...defaultSpeeds(), ...state.speeds };
  // State files written before releases existed.
  state.releases ??= [];
  return state;
}

export function readSeed(file: string): Seed {
  return JSON.parse(fs.readFileSync(file, "utf8")) as Seed;
}

/** emulator/seed.json from the sources (ts-node, jest) or, compiled to dist/emulator/, from the package root. */
export function defaultSeedFile(): string {
  const candidates = [
    path.join(__dirname, "..", "seed.json"),
    path.join(__dirname, "..", "..", "..", "emulator", "seed.json"),
  ];
  return candidates.find((f) => fs.existsSync(f)) ?? candidates[0]!;
}

export function stateFromSeed(seed: Seed, nowIso: string): State {
  return {
    version: 1,
    teams: seed.teams,
    users: seed.users,
    spaces: seed.spaces,
    apps: seed.apps.map((a) => ({ ...a, createdAt: nowIso })),
    addons: [],
    attachments: [],
    configVars: {},
    releases: [],
    speeds: defaultSpeeds(),
    clockOffsetMs: 0,
  };
}
