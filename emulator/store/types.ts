/** The emulator's persistent state: seed data plus everything created through the APIs. Saved as stateDir/state.json. */
import type { CredentialRecord } from "../domain/credential-types";
import type { PendingTransition } from "../machines/pending";
import type { MtlsRecord } from "../mtls/types";

export interface Team {
  id: string;
  name: string;
}

export interface User {
  id: string;
  email: string;
  team: string;
  token: string;
}

export interface Space {
  id: string;
  name: string;
  team: string;
  /** Heroku region name: virginia, oregon, frankfurt, ... */
  region: string;
  shield: boolean;
  /** Heroku's platform generation; Shield Spaces exist only on Cedar. Absent means cedar. */
  generation?: "cedar" | "fir";
}

export interface App {
  id: string;
  name: string;
  team: string;
  /** Space name; absent for Common Runtime apps. */
  space?: string;
  /** Common Runtime region (us, eu); ignored when the app is in a space. */
  region?: string;
  createdAt: string;
  /** `heroku maintenance:on` (PATCH /apps/{app} {maintenance}); absent = off. See emulator/README.md. */
  maintenance?: boolean;
  /** When the app was last changed through PATCH; absent = never (created_at). */
  updatedAt?: string;
}

export interface Seed {
  teams: Team[];
  users: User[];
  spaces: Space[];
  apps: Omit<App, "createdAt">[];
}

export type { PendingTransition } from "../machines/pending";

export type AddonState = "provisioning" | "provisioned" | "deprovisioning" | "deprovisioned";
export type EnhancedCertificatesStatus = "Enabled" | "Disabled" | "Provisioning" | "Deprovisioning";

/** The real PostgreSQL objects behind an add-on: one database owned by the default credential's role. */
export interface DatabaseRecord {
  database: string;
  user: string;
  password: string;
  /**
   * The directory (under clusters/) and key of the database's own cluster; absent = the database name. A follower
   * is a physical copy of its leader, so it has the leader's database name and needs a cluster name of its own.
   */
  cluster?: string;
}

/** Phases of a plan change in place (domain/plan-change.ts); "done" only for the moment it fires. */
export type PlanChangePhase = "preparing" | "changing" | "done";

/** A follower's link to its leader (domain/followers.ts). */
export interface FollowRecord {
  /** The leader's add-on id. */
  leaderId: string;
  /** The physical replication slot on the leader's cluster that keeps the WAL this follower still needs. */
  slot: string;
}

export interface Addon {
  id: string;
  name: string;
  appId: string;
  plan: string;
  state: AddonState;
  provisionMessage?: string;
  createdAt: string;
  updatedAt: string;
  db: DatabaseRecord;
  /**
   * Loopback port of the database's front door (emulator/mtls/endpoint.ts), chosen at creation and kept across
   * restarts: every URL of the database uses it, so URLs never change (Heroku gives each database its own host).
   */
  frontDoorPort: number;
  /** KMS key ARN when the add-on was created with config["encryption-key"]. */
  encryptionKey?: string;
  /** True while the BYOK key is disabled (or gone) in KMS: the database refuses connections. */
  keyUnavailable?: boolean;
  enhancedCertificates: EnhancedCertificatesStatus;
  /** Every config value sent at creation, stringified; never returned by the Platform API. */
  config: Record<string, string>;
  pending: PendingTransition[];
  /** mTLS, its certificates and IP rules (emulator/mtls/types.ts); absent while mTLS is off. */
  mtls?: MtlsRecord;
  /** Named credentials (emulator/domain/credential-types.ts); the default credential is `db`. */
  credentials?: CredentialRecord[];
  /** A plan change in place under way (machines plan-change, plan-changeover); absent otherwise. */
  planChange?: PlanChangePhase;
  /** The plan before the change under way. */
  planChangeFrom?: string;
  /** Set while this add-on's database streams from a leader (created with config.follow, not yet unfollowed). */
  following?: FollowRecord;
  /** The leader this database followed until it was unfollowed (a fork made by unfollow: "Forked From"). */
  forkedFrom?: string;
  /** After unfollow: "preparing" while the new fork cannot be followed yet (machine fork-follow), then "available". */
  forkFollow?: "preparing" | "available";
}

export interface Attachment {
  id: string;
  name: string;
  addonId: string;
  appId: string;
  /** null for the default credential; "credential:<name>" once credentials exist. */
  namespace: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A release of an app: Heroku makes one whenever its config vars change (attach, detach, config:set). */
export interface Release {
  id: string;
  appId: string;
  version: number;
  description: string;
  userEmail: string;
  createdAt: string;
}

export type Speed = "immediate" | { polls: number } | { ms: number };

export interface State {
  version: 1;
  teams: Team[];
  users: User[];
  spaces: Space[];
  apps: App[];
  addons: Addon[];
  attachments: Attachment[];
  /** User-set config vars per app id (attachment vars are derived, never stored). */
  configVars: Record<string, Record<string, string>>;
  /** Releases after each app's first, which every app has from its creation (domain/releases.ts). */
  releases: Release[];
  speeds: Record<string, Speed>;
  /** Added to the wall clock by POST /__emulator/clock. */
  clockOffsetMs: number;
}
