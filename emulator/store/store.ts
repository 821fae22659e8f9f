import { ApiError, notFound } from "../errors";
import { defaultSpeeds, MACHINES } from "../machines/definitions";
import { MachineEngine } from "../machines/engine";
import { saveState, stateFromSeed } from "./persist";
import type { Addon, App, Attachment, Seed, Space, Speed, State, User } from "./types";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** In-memory state with lookups that apply team visibility; every mutation ends with save(). */
export class Store {
  readonly machines: MachineEngine;

  constructor(
    public state: State,
    private readonly file: string,
    private readonly seed: Seed,
  ) {
    this.machines = new MachineEngine(
      (m) => this.speedOf(m),
      () => this.now(),
    );
  }

  now(): number {
    return Date.now() + this.state.clockOffsetMs;
  }

  /** Platform timestamps: RFC 3339, Z, no millis (docs/heroku-api.md 4.3). */
  nowIso(): string {
    return new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  save(): void {
    saveState(this.file, this.state);
  }

  resetToSeed(): void {
    this.state = stateFromSeed(this.seed, this.nowIso());
    this.save();
  }

  speedOf(machine: string): Speed {
    return this.state.speeds[machine] ?? MACHINES[machine]?.defaultSpeed ?? defaultSpeeds()["addon-provision"]!;
  }

  userByToken(token: string): User | undefined {
    return this.state.users.find((u) => u.token === token);
  }

  space(name: string | undefined): Space | undefined {
    return name === undefined ? undefined : this.state.spaces.find((s) => s.name === name);
  }

  appById(id: string): App | undefined {
    return this.state.apps.find((a) => a.id === id);
  }

  /** Another team's app answers 403, as Heroku does for apps you cannot access (README: Differences). */
  visibleApp(user: User, idOrName: string): App {
    const app = this.state.apps.find((a) => a.id === idOrName || a.name === idOrName);
    if (!app) throw notFound("app");
    if (app.team !== user.team) throw new ApiError("forbidden", `You do not have access to the app ${app.name}.`);
    return app;
  }

  findAddon(idOrName: string): Addon | undefined {
    const byId = UUID.test(idOrName);
    return this.state.addons.find((a) => (byId ? a.id === idOrName.toLowerCase() : a.name === idOrName));
  }

  visibleAddon(user: User, idOrName: string): Addon {
    const addon = this.findAddon(idOrName);
    if (!addon) throw notFound("add-on");
    this.assertAddonVisible(user, addon);
    return addon;
  }

  assertAddonVisible(user: User, addon: Addon): void {
    const app = this.appById(addon.appId);
    if (!app || app.team !== user.team) {
      throw new ApiError("forbidden", `You do not have access to the add-on ${addon.name}.`);
    }
  }

  teamApps(user: User): App[] {
    return this.state.apps.filter((a) => a.team === user.team);
  }

  teamAddons(user: User): Addon[] {
    const appIds = new Set(this.teamApps(user).map((a) => a.id));
    return this.state.addons.filter((a) => appIds.has(a.appId));
  }

  attachmentsOfApp(appId: string): Attachment[] {
    return this.state.attachments.filter((a) => a.appId === appId);
  }

  attachmentsOfAddon(addonId: string): Attachment[] {
    return this.state.attachments.filter((a) => a.addonId === addonId);
  }

  removeAddon(addon: Addon): void {
    this.state.addons = this.state.addons.filter((a) => a.id !== addon.id);
    this.state.attachments = this.state.attachments.filter((a) => a.addonId !== addon.id);
  }
}
