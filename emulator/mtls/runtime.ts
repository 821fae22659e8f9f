import * as crypto from "node:crypto";
import type { Core } from "../core";
import { clusterKey } from "../pg/clusters";
import type { Addon } from "../store/types";
import { cidrContains } from "./cidr";
import { ENDPOINT_SOURCE_ADDRESS, type ClientFacts, FrontDoor, type MtlsGate } from "./endpoint";
import type { MtlsRecord } from "./types";

/** Test knobs for mTLS, set through PUT /__emulator/mtls; in memory only (reset restores them). */
export interface MtlsOptions {
  /** How certificate and IP-rule timestamps are written (docs/heroku-api.md 1.3, "Timestamp format warning"). */
  timestampFormat: "heroku" | "iso";
  /** The next N GETs of a tls-endpoint that is Provisioning answer 500 (docs/heroku-api.md 1.1, HX PR #26). */
  provisioningErrors: number;
}

export const DEFAULT_MTLS_OPTIONS: MtlsOptions = { timestampFormat: "heroku", provisioningErrors: 0 };

/** The running side of front doors and mTLS: one front door per live add-on, and the pg_hba lines last written. */
export class MtlsRuntime {
  options: MtlsOptions = { ...DEFAULT_MTLS_OPTIONS };
  /** Advances an add-on's mTLS machines before a connection is judged (set by startMtls). */
  settle: (addon: Addon) => void = () => undefined;
  private readonly doors = new Map<string, FrontDoor>();
  /** The mTLS pg_hba lines last written to each database's cluster, by cluster key. */
  private readonly hbaWritten = new Map<string, string>();
  private queue: Promise<void> = Promise.resolve();
  /** Set by stop(): a connection still asking its gate must not make doors listen again. */
  private stopped = false;

  constructor(private readonly core: Core) {}

  /**
   * Makes the running front doors and pg_hba match the store: every add-on whose database exists (provisioning or
   * provisioned) listens on its own port, and a database whose mTLS is Operational (or still Deprovisioning) is
   * reachable in PostgreSQL only from the mTLS relay's source address. Serialised, so concurrent callers never
   * interleave listens or hba writes.
   */
  reconcile(): Promise<void> {
    const run = this.queue.then(() => this.reconcileNow());
    this.queue = run.catch(() => undefined);
    return run;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.queue;
    await Promise.all([...this.doors.values()].map((e) => e.close()));
    this.doors.clear();
  }

  private async reconcileNow(): Promise<void> {
    if (this.stopped) return;
    const live = this.core.store.state.addons.filter((a) => a.state === "provisioning" || a.state === "provisioned");
    for (const [id, door] of this.doors) {
      if (live.find((a) => a.id === id)?.frontDoorPort !== door.port) {
        this.doors.delete(id);
        await door.close();
      }
    }
    for (const addon of live) {
      if (this.doors.has(addon.id)) continue;
      const door = this.frontDoorFor(addon);
      await door.listen();
      this.doors.set(addon.id, door);
    }
    const liveNames = new Set(live.map((a) => clusterKey(a.db)));
    for (const name of this.hbaWritten.keys()) if (!liveNames.has(name)) this.hbaWritten.delete(name);
    let reloaded = false;
    for (const addon of live) {
      const admin = this.core.clusters.find(addon.db);
      if (!admin) continue;
      const lines = mtlsOn(addon) ? hbaLines(addon.db.database, admin.cluster.adminUser) : [];
      const text = lines.join("\n");
      // A cluster starts with no extra lines, so nothing is written until mTLS first changes them.
      if (text === (this.hbaWritten.get(clusterKey(addon.db)) ?? "")) continue;
      await this.core.clusters.setHba(addon.db, lines);
      this.hbaWritten.set(clusterKey(addon.db), text);
      reloaded = true;
    }
    // The postmaster applies a reload asynchronously; give it a moment before callers connect.
    if (reloaded) await new Promise((resolve) => setTimeout(resolve, 300));
  }

  private current(addonId: string): Addon | undefined {
    return this.core.store.state.addons.find((a) => a.id === addonId);
  }

  private frontDoorFor(addon: Addon): FrontDoor {
    const addonId = addon.id;
    return new FrontDoor({
      port: addon.frontDoorPort,
      upstreamPort: () => this.core.clusters.find(addon.db)?.cluster.port,
      gate: async (): Promise<MtlsGate | undefined> => {
        const before = this.current(addonId);
        if (before) this.settle(before);
        // pg_hba must already say what the mode chosen below expects (relay source 127.0.0.2 or the pipe's).
        await this.reconcile();
        const current = this.current(addonId);
        const mtls = current?.mtls;
        if (!current || !mtls || !mtlsOn(current)) return undefined;
        return {
          serverKeyPem: mtls.server.keyPem,
          serverCertPem: mtls.server.certPem + mtls.serverCa.certPem,
          clientCaPem: mtls.clientCa.certPem,
          admit: (facts) => {
            const now = this.current(addonId);
            if (now) this.settle(now);
            if (!now?.mtls) return `mTLS was just disabled for database ${current.name}: connect again`;
            return admission(now.name, now.mtls, facts, this.core.store.now());
          },
        };
      },
    });
  }
}

/** mTLS decides access while Operational and until its removal completes. */
function mtlsOn(addon: Addon): boolean {
  return (
    addon.state === "provisioned" && (addon.mtls?.status === "Operational" || addon.mtls?.status === "Deprovisioning")
  );
}

/**
 * pg_hba for a database with mTLS: only the mTLS relay's source address (plain TCP on loopback, see
 * FrontDoor.relay) and the emulator's own superuser (Heroku's operators) may connect; everything else for that
 * database is rejected, so the cluster's own port no longer admits clients. Without these lines the cluster's
 * general rules apply again.
 */
export function hbaLines(database: string, adminUser: string): string[] {
  return [
    `hostssl ${database} ${adminUser} 127.0.0.1/32 scram-sha-256`,
    `host ${database} all ${ENDPOINT_SOURCE_ADDRESS}/32 scram-sha-256`,
    `host ${database} all all reject`,
  ];
}

/** The rules one connection must pass; undefined lets it through. Messages name the database and the rule. */
export function admission(addonName: string, mtls: MtlsRecord, facts: ClientFacts, nowMs: number): string | undefined {
  const cert = facts.certificate;
  if (!cert) {
    return `mTLS is enabled for database ${addonName}: connections need a client certificate issued for it (sslcert/sslkey)`;
  }
  const ca = new crypto.X509Certificate(mtls.clientCa.certPem);
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) {
    return `the client certificate was not issued for database ${addonName}`;
  }
  const serial = cert.serialNumber.toUpperCase();
  const known = mtls.certificates.find((c) => c.serial === serial);
  if (!known || known.status === "disabling" || known.status === "disabled") {
    return `the client certificate ${known?.id ?? serial} for database ${addonName} has been revoked`;
  }
  if (known.expiresAt <= nowMs) {
    return `the client certificate ${known.id} for database ${addonName} expired at ${new Date(known.expiresAt).toISOString()}`;
  }
  const allowed = mtls.ipRules.some((r) => r.status === "Authorized" && cidrContains(r.cidr, facts.remoteAddress));
  if (!allowed) {
    return `connections to database ${addonName} from ${facts.remoteAddress} are not allowed: no Authorized IP rule covers this address`;
  }
  return undefined;
}

const runtimes = new WeakMap<Core, MtlsRuntime>();

export function mtlsRuntime(core: Core): MtlsRuntime {
  let runtime = runtimes.get(core);
  if (!runtime) {
    runtime = new MtlsRuntime(core);
    runtimes.set(core, runtime);
  }
  return runtime;
}
