import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { Core } from "./core";
import { settleAll } from "./domain/addons";
import { KEY_CHECK_INTERVAL_MS, syncKeys } from "./domain/byok-watch";
import { requestListener } from "./http/server";
import { assertClusterLayout } from "./pg/cluster";
import { clusterKey, Clusters, type LiveCluster } from "./pg/clusters";
import { startCredentials } from "./domain/credential-scheduler";
import { startMtls } from "./routes/mtls";
import { buildRouter } from "./routes/table";
import { presetSpeeds, type PresetName } from "./machines/presets";
import { defaultSeedFile, loadState, readSeed, stateFromSeed } from "./store/persist";
import { Store } from "./store/store";
import type { Addon } from "./store/types";
import { ensureTlsMaterial } from "./tls/material";

export interface EmulatorOptions {
  /** Everything persistent: state.json, the databases' PostgreSQL clusters, TLS material. State survives restart. */
  stateDir: string;
  /** moto endpoint used to check BYOK keys. */
  kmsEndpoint: string;
  /** HTTP port, 0/undefined = free port. */
  port?: number;
  /** HTTPS port, 0/undefined = free port. */
  httpsPort?: number;
  /** Default emulator/seed.json. */
  seedFile?: string;
  /** Every machine's speed from a preset (machines/presets.ts), scaled by `factor`; replaces stored speeds. */
  speeds?: { preset: PresetName; factor?: number };
}

export interface RunningEmulator {
  url: string;
  httpsUrl: string;
  caCertPath: string;
  publicRootPath: string;
  /**
   * The superuser URL of each live add-on's database on its own cluster, by add-on name: for tests that read roles
   * and grants behind the API. Not a client URL (it bypasses the front door, so mTLS rules do not apply).
   */
  adminDatabaseUrls(): Record<string, string>;
  stop(): Promise<void>;
}

/** Add-ons whose database exists: a failed create has none, a deleted add-on's is gone at once. */
const hasDatabase = (a: Addon): boolean => a.state === "provisioning" || a.state === "provisioned";

/** The clusters to start again: followers stream from their leader through the slot they were made with. */
function liveClusters(addons: Addon[]): LiveCluster[] {
  return addons.filter(hasDatabase).map((a) => {
    const leader = a.following && addons.find((l) => l.id === a.following!.leaderId);
    return leader ? { db: a.db, follows: { leader: leader.db, slot: a.following!.slot } } : { db: a.db };
  });
}

/** How often time-driven transitions advance when nobody polls. */
const TICK_MS = 250;

function listen(server: http.Server | https.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startEmulator(opts: EmulatorOptions): Promise<RunningEmulator> {
  const stateDir = path.resolve(opts.stateDir);
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  assertClusterLayout(stateDir);
  const seed = readSeed(opts.seedFile ?? defaultSeedFile());
  const stateFile = path.join(stateDir, "state.json");
  const state = loadState(stateFile) ?? stateFromSeed(seed, new Date().toISOString().replace(/\.\d{3}Z$/, "Z"));
  const store = new Store(state, stateFile, seed);
  const startSpeeds = opts.speeds ? presetSpeeds(opts.speeds.preset, opts.speeds.factor) : {};
  Object.assign(store.state.speeds, startSpeeds);
  store.save();

  const tls = ensureTlsMaterial(stateDir);
  const clusters = new Clusters(stateDir, tls);
  try {
    await clusters.init(liveClusters(store.state.addons));
  } catch (err) {
    await clusters.stopAll();
    throw err;
  }
  const core = new Core({
    store,
    clusters,
    kmsEndpoint: opts.kmsEndpoint,
    publicRootPath: tls.publicRootPath,
    startSpeeds,
  });

  const router = buildRouter();
  const listener = requestListener(core, router);
  const httpServer = http.createServer(listener);
  const httpsServer = https.createServer({ key: tls.https.keyPem, cert: tls.https.certPem }, listener);
  let port: number;
  let httpsPort: number;
  try {
    port = await listen(httpServer, opts.port ?? 0);
    httpsPort = await listen(httpsServer, opts.httpsPort ?? 0);
  } catch (err) {
    httpServer.close();
    await clusters.stopAll();
    throw err;
  }

  // mTLS endpoints listen again on the ports they had before a restart.
  const mtls = await startMtls(core);
  const credentials = startCredentials(core);

  // Add-ons that were mid-transition when the emulator stopped continue from their stored start time.
  const tick = setInterval(() => settleAll(core), TICK_MS);
  const keyCheck = setInterval(() => void syncKeys(core).catch(() => undefined), KEY_CHECK_INTERVAL_MS);
  tick.unref();
  keyCheck.unref();

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      clearInterval(tick);
      clearInterval(keyCheck);
      const closing = [httpServer, httpsServer].map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      );
      await Promise.all(closing);
      await mtls.stop();
      await credentials.stop();
      await core.drain();
      store.save();
      await clusters.stopAll();
    })();
    return stopped;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    httpsUrl: `https://localhost:${httpsPort}`,
    caCertPath: tls.caCertPath,
    publicRootPath: tls.publicRootPath,
    adminDatabaseUrls: () => {
      const byDatabase = clusters.adminUrls();
      const out: Record<string, string> = {};
      for (const a of store.state.addons) {
        const url = byDatabase[clusterKey(a.db)];
        if (url) out[a.name] = url;
      }
      return out;
    },
    stop,
  };
}
