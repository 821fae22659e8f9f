import * as fs from "node:fs";
import * as path from "node:path";
import { freePort } from "../net";
import type { DatabaseRecord } from "../store/types";
import type { TlsMaterial } from "../tls/material";
import { PgAdmin } from "./admin";
import {
  type AdminSecret,
  baseBackup,
  clusterPaths,
  copyTemplate,
  ensureTemplate,
  killCluster,
  serverVersion,
  startCluster,
  stopCluster,
  writeHba,
} from "./cluster";

/** The directory and key of a database's cluster: a follower has its leader's database name, so it names its own. */
export const clusterKey = (db: DatabaseRecord): string => db.cluster ?? db.database;

/** A database whose cluster should run, and the leader it streams from while it is a follower. */
export interface LiveCluster {
  db: DatabaseRecord;
  follows?: { leader: DatabaseRecord; slot: string };
}

/** How long a promoted standby may take to leave recovery, and a slot to be released by its walsender. */
const PROMOTE_WAIT_SECONDS = 60;
const SLOT_RELEASE_TRIES = 50;

/**
 * One PostgreSQL cluster per emulated database, as on Heroku, where each database runs on its own server: roles
 * (credentials) are cluster-wide in PostgreSQL, so only a cluster of its own lets every database have its own
 * `analyst`, lets a replacement database reuse the names of the one it replaces, and keeps the names clients see
 * in SQL (current_user, GRANT ... TO "analyst", pg_roles) equal to the credential names. Each cluster listens on
 * a loopback port chosen at every start; clients never see it, they reach it through the database's front door.
 */
export class Clusters {
  private readonly running = new Map<string, PgAdmin>();
  /** The database each running cluster holds, by cluster key. */
  private readonly databases = new Map<string, string>();
  private admin: AdminSecret | undefined;
  /** pg:info's "PG Version", read from the installed server once. */
  version = "15";

  constructor(
    private readonly stateDir: string,
    private readonly tls: TlsMaterial,
  ) {}

  /**
   * Makes the template (initdb, first start only) and starts the clusters of the given databases: leaders first,
   * since a follower's settings name its leader's port, which is new at every start.
   */
  async init(live: LiveCluster[]): Promise<void> {
    this.admin = await ensureTemplate(this.stateDir);
    this.version = await serverVersion();
    const keep = new Set(live.map((l) => clusterKey(l.db)));
    // Left by a crash between deleting an add-on and removing its cluster.
    for (const name of fs.readdirSync(this.root)) {
      if (!keep.has(name)) fs.rmSync(path.join(this.root, name), { recursive: true, force: true });
    }
    const ordered = [...live.filter((l) => !l.follows), ...live.filter((l) => l.follows)];
    for (const l of ordered) {
      if (fs.existsSync(path.join(this.dataDir(l.db), "PG_VERSION"))) await this.start(l.db, l.follows);
    }
  }

  private get root(): string {
    return clusterPaths(this.stateDir).clusters;
  }

  dataDir(db: DatabaseRecord): string {
    return path.join(this.root, clusterKey(db));
  }

  /** A new database: a copy of the template, started, with the default credential's role owning the database. */
  async create(db: DatabaseRecord): Promise<void> {
    await copyTemplate(this.stateDir, this.dataDir(db));
    const admin = await this.start(db);
    await admin.createDatabase(db);
  }

  /**
   * A follower's cluster: a base backup of the leader's running cluster with a replication slot of its own there,
   * started as a hot standby streaming from the leader. `db` has the leader's database name, user and password
   * (a physical copy has the leader's roles) and its own `cluster`.
   */
  async createFollower(db: DatabaseRecord, leader: DatabaseRecord, slot: string): Promise<void> {
    const secret = this.secret();
    const leaderAdmin = this.of(leader);
    await baseBackup(this.dataDir(db), { port: leaderAdmin.cluster.port, admin: secret, slot });
    try {
      await this.start(db, { leader, slot });
    } catch (err) {
      await this.dropSlot(leader, slot).catch(() => undefined);
      throw err;
    }
  }

  /** Ends a follower's recovery (pg_promote): it stops streaming and takes writes; the next start is no standby. */
  async promote(db: DatabaseRecord): Promise<void> {
    const admin = this.of(db);
    const [row] = await admin.query<{ promoted: boolean }>("SELECT pg_promote(true, $1) AS promoted", [
      PROMOTE_WAIT_SECONDS,
    ]);
    if (!row?.promoted) throw new Error(`the follower ${clusterKey(db)} did not leave recovery`);
  }

  /**
   * Drops a follower's replication slot on its leader, so the leader stops keeping WAL for it. The walsender of
   * a follower just promoted or stopped may still hold it for a moment; it is ended first.
   */
  async dropSlot(leader: DatabaseRecord, slot: string): Promise<void> {
    const admin = this.find(leader);
    if (!admin) return;
    for (let i = 0; ; i++) {
      try {
        await admin.query(
          "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1 AND active_pid IS NOT NULL",
          [slot],
        );
        await admin.query("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1", [
          slot,
        ]);
        return;
      } catch (err) {
        if (i >= SLOT_RELEASE_TRIES) throw err;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /**
   * How many bytes of the leader's WAL a follower has not replayed yet, read on the leader first: 0 means every
   * transaction committed on the leader before this call is visible on the follower. Undefined while the follower
   * has replayed nothing it can report (just started).
   */
  async replayLag(follower: DatabaseRecord, leader: DatabaseRecord): Promise<number | undefined> {
    const [l] = await this.of(leader).query<{ lsn: string }>("SELECT pg_current_wal_lsn()::text AS lsn");
    const [f] = await this.of(follower).query<{ lag: string | null }>(
      "SELECT pg_wal_lsn_diff($1::pg_lsn, pg_last_wal_replay_lsn())::text AS lag",
      [l!.lsn],
    );
    if (f?.lag === null || f?.lag === undefined) return undefined;
    return Math.max(0, Number(f.lag));
  }

  private secret(): AdminSecret {
    if (!this.admin) throw new Error("Clusters.init() has not run");
    return this.admin;
  }

  private async start(db: DatabaseRecord, follows?: LiveCluster["follows"]): Promise<PgAdmin> {
    const secret = this.secret();
    const dataDir = this.dataDir(db);
    const port = await freePort();
    const leaderPort = follows ? (this.find(follows.leader)?.cluster.port ?? 0) : 0;
    const standby = follows ? { port: leaderPort, admin: secret, slot: follows.slot } : undefined;
    await startCluster(dataDir, this.tls, port, [], standby);
    const admin = new PgAdmin({ dataDir, port, adminUser: secret.user, adminPassword: secret.password });
    this.running.set(clusterKey(db), admin);
    this.databases.set(clusterKey(db), db.database);
    return admin;
  }

  /** Deleting a database stops its cluster (open sessions end at once) and removes its files. */
  remove(db: DatabaseRecord): Promise<void> {
    return this.removeNamed(clusterKey(db));
  }

  async removeAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((name) => this.removeNamed(name)));
  }

  private async removeNamed(key: string): Promise<void> {
    const admin = this.running.get(key);
    this.running.delete(key);
    this.databases.delete(key);
    await admin?.close();
    const dataDir = path.join(this.root, key);
    await killCluster(dataDir);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }

  async stopAll(): Promise<void> {
    const all = [...this.running.values()];
    this.running.clear();
    this.databases.clear();
    await Promise.all(
      all.map(async (admin) => {
        await admin.close();
        await stopCluster(admin.cluster.dataDir);
      }),
    );
  }

  /** The running cluster of a database, if it has one (a failed or deleted add-on has none). */
  find(db: DatabaseRecord): PgAdmin | undefined {
    return this.running.get(clusterKey(db));
  }

  of(db: DatabaseRecord): PgAdmin {
    const admin = this.running.get(clusterKey(db));
    if (!admin) throw new Error(`database ${clusterKey(db)} has no running cluster`);
    return admin;
  }

  /** Replaces the cluster's extra pg_hba lines (mTLS) and reloads it. */
  async setHba(db: DatabaseRecord, lines: string[]): Promise<void> {
    const admin = this.of(db);
    writeHba(admin.cluster.dataDir, lines);
    await admin.query("SELECT pg_reload_conf()");
  }

  /** Superuser URLs of every running database, by cluster key: tests read roles and grants through them. */
  adminUrls(): Record<string, string> {
    return Object.fromEntries(
      [...this.running].map(([key, admin]) => [key, admin.urlOf(this.databases.get(key) ?? key)]),
    );
  }
}
