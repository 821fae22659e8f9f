import * as fs from "node:fs";
import * as path from "node:path";
import { freePort } from "../net";
import type { DatabaseRecord } from "../store/types";
import type { TlsMaterial } from "../tls/material";
import { PgAdmin } from "./admin";
import {
  type AdminSecret,
  clusterPaths,
  copyTemplate,
  ensureTemplate,
  killCluster,
  serverVersion,
  startCluster,
  stopCluster,
  writeHba,
} from "./cluster";

/**
 * One PostgreSQL cluster per emulated database, as on Heroku, where each database runs on its own server: roles
 * (credentials) are cluster-wide in PostgreSQL, so only a cluster of its own lets every database have its own
 * `analyst`, lets a replacement database reuse the names of the one it replaces, and keeps the names clients see
 * in SQL (current_user, GRANT ... TO "analyst", pg_roles) equal to the credential names. Each cluster listens on
 * a loopback port chosen at every start; clients never see it, they reach it through the database's front door.
 */
export class Clusters {
  private readonly running = new Map<string, PgAdmin>();
  private admin: AdminSecret | undefined;
  /** pg:info's "PG Version", read from the installed server once. */
  version = "15";

  constructor(
    private readonly stateDir: string,
    private readonly tls: TlsMaterial,
  ) {}

  /** Makes the template (initdb, first start only) and starts the clusters of the given databases. */
  async init(live: DatabaseRecord[]): Promise<void> {
    this.admin = await ensureTemplate(this.stateDir);
    this.version = await serverVersion();
    const keep = new Set(live.map((db) => db.database));
    // Left by a crash between deleting an add-on and removing its cluster.
    for (const name of fs.readdirSync(this.root)) {
      if (!keep.has(name)) fs.rmSync(path.join(this.root, name), { recursive: true, force: true });
    }
    for (const db of live) {
      if (fs.existsSync(path.join(this.dataDir(db), "PG_VERSION"))) await this.start(db);
    }
  }

  private get root(): string {
    return clusterPaths(this.stateDir).clusters;
  }

  dataDir(db: DatabaseRecord): string {
    return path.join(this.root, db.database);
  }

  /** A new database: a copy of the template, started, with the default credential's role owning the database. */
  async create(db: DatabaseRecord): Promise<void> {
    await copyTemplate(this.stateDir, this.dataDir(db));
    const admin = await this.start(db);
    await admin.createDatabase(db);
  }

  private async start(db: DatabaseRecord): Promise<PgAdmin> {
    const secret = this.admin;
    if (!secret) throw new Error("Clusters.init() has not run");
    const dataDir = this.dataDir(db);
    const port = await freePort();
    await startCluster(dataDir, this.tls, port, []);
    const admin = new PgAdmin({ dataDir, port, adminUser: secret.user, adminPassword: secret.password });
    this.running.set(db.database, admin);
    return admin;
  }

  /** Deleting a database stops its cluster (open sessions end at once) and removes its files. */
  remove(db: DatabaseRecord): Promise<void> {
    return this.removeNamed(db.database);
  }

  async removeAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((name) => this.removeNamed(name)));
  }

  private async removeNamed(database: string): Promise<void> {
    const admin = this.running.get(database);
    this.running.delete(database);
    await admin?.close();
    const dataDir = path.join(this.root, database);
    await killCluster(dataDir);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }

  async stopAll(): Promise<void> {
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(
      all.map(async (admin) => {
        await admin.close();
        await stopCluster(admin.cluster.dataDir);
      }),
    );
  }

  /** The running cluster of a database, if it has one (a failed or deleted add-on has none). */
  find(db: DatabaseRecord): PgAdmin | undefined {
    return this.running.get(db.database);
  }

  of(db: DatabaseRecord): PgAdmin {
    const admin = this.running.get(db.database);
    if (!admin) throw new Error(`database ${db.database} has no running cluster`);
    return admin;
  }

  /** Replaces the cluster's extra pg_hba lines (mTLS) and reloads it. */
  async setHba(db: DatabaseRecord, lines: string[]): Promise<void> {
    const admin = this.of(db);
    writeHba(admin.cluster.dataDir, lines);
    await admin.query("SELECT pg_reload_conf()");
  }

  /** Superuser URLs of every running database, by database name: tests read roles and grants through them. */
  adminUrls(): Record<string, string> {
    return Object.fromEntries([...this.running].map(([name, admin]) => [name, admin.urlOf(name)]));
  }
}
