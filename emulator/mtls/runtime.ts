import * as crypto from "node:crypto";
import type { Core } from "../core";
import { writeHba } from "../pg/cluster";
import type { Addon } from "../store/types";
import { cidrContains, ENDPOINT_SOURCE_ADDRESS, type ClientFacts, TlsEndpoint } from "./endpoint";
import type { MtlsRecord } from "./types";

/** Test knobs for mTLS, set through PUT /__emulator/mtls; in memory only (reset restores them). */
export interface MtlsOptions {
  /** How certificate and IP-rule timestamps are written (heroku-api.md 1.3, "Timestamp format warning"). */
  timestampFormat: "heroku" | "iso";
  /** The next N GETs of a tls-endpoint that is Provisioning answer 500 (heroku-api.md 1.1, HX PR #26). */
  provisioningErrors: number;
}

export const DEFAULT_MTLS_OPTIONS: MtlsOptions = { timestampFormat: "heroku", provisioningErrors: 0 };

/** The running side of mTLS for one emulator: endpoints by add-on id and the pg_hba lines last written. */
export class MtlsRuntime {
  options: MtlsOptions = { ...DEFAULT_MTLS_OPTIONS };
  /** Advances an add-on's mTLS machines before a connection is judged (set by startMtls). */
  settle: (addon: Addon) => void = () => undefined;
  private readonly endpoints = new Map<string, TlsEndpoint>();
  private hbaWritten: string | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly core: Core) {}

  /**
   * Makes the running endpoints and pg_hba match the store: every provisioned database whose mTLS is Operational
   * (or still Deprovisioning) has a listening endpoint and is reachable in PostgreSQL only from the endpoint's
   * source address. Serialised, so concurrent callers never interleave listens or hba writes.
   */
  reconcile(): Promise<void> {
    const run = this.queue.then(() => this.reconcileNow());
    this.queue = run.catch(() => undefined);
    return run;
  }

  async stop(): Promise<void> {
    await this.queue;
    await Promise.all([...this.endpoints.values()].map((e) => e.close()));
    this.endpoints.clear();
  }

  private async reconcileNow(): Promise<void> {
    const wanted = new Map<string, Addon>();
    for (const addon of this.core.store.state.addons) {
      const status = addon.mtls?.status;
      if (addon.state === "provisioned" && (status === "Operational" || status === "Deprovisioning")) {
        wanted.set(addon.id, addon);
      }
    }
    for (const [id, endpoint] of this.endpoints) {
      const addon = wanted.get(id);
      if (!addon || addon.mtls?.endpointPort !== endpoint.port) {
        this.endpoints.delete(id);
        await endpoint.close();
      }
    }
    for (const [id, addon] of wanted) {
      if (this.endpoints.has(id)) continue;
      const endpoint = this.endpointFor(addon);
      await endpoint.listen();
      this.endpoints.set(id, endpoint);
    }
    const lines = [...wanted.values()].flatMap((a) => hbaLines(a.db.database, this.core.admin.cluster.adminUser));
    const text = lines.join("\n");
    if (text !== this.hbaWritten) {
      writeHba(this.core.admin.cluster.dataDir, lines);
      await this.core.admin.query("SELECT pg_reload_conf()");
      // The postmaster applies the reload asynchronously; give it a moment before callers connect.
      await new Promise((resolve) => setTimeout(resolve, 300));
      this.hbaWritten = text;
    }
  }

  private endpointFor(addon: Addon): TlsEndpoint {
    const mtls = addon.mtls!;
    const addonId = addon.id;
    return new TlsEndpoint({
      port: mtls.endpointPort,
      serverKeyPem: mtls.server.keyPem,
      serverCertPem: mtls.server.certPem + mtls.serverCa.certPem,
      clientCaPem: mtls.clientCa.certPem,
      upstreamPort: this.core.pgPort,
      admit: (facts) => {
        const current = this.core.store.state.addons.find((a) => a.id === addonId);
        if (current) this.settle(current);
        if (!current?.mtls) return "this database no longer exists";
        return admission(current.name, current.mtls, facts, this.core.store.now());
      },
    });
  }
}

/**
 * pg_hba for a database with mTLS: only the endpoint's source address (plain TCP on loopback, see
 * TlsEndpoint.relay) and the emulator's own superuser (Heroku's operators) may connect; everything else for that database is rejected, so the direct port
 * no longer works. Without these lines the cluster's general rules apply again.
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
