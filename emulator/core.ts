import { Faults, type LoggedRequest } from "./http/faults";
import { RateLimiter } from "./http/rate-limit";
import type { Clusters } from "./pg/clusters";
import type { Store } from "./store/store";
import type { Speed } from "./store/types";

export interface CoreOptions {
  store: Store;
  clusters: Clusters;
  kmsEndpoint: string;
  publicRootPath: string;
  /** Speeds chosen at start (`--speeds`); empty = the standalone defaults. Reset restores them. */
  startSpeeds?: Record<string, Speed>;
}

/** Everything handlers share: the store, the database clusters, and the in-memory test knobs (faults, request log). */
export class Core {
  readonly store: Store;
  readonly clusters: Clusters;
  readonly kmsEndpoint: string;
  readonly publicRootPath: string;
  readonly startSpeeds: Record<string, Speed>;
  readonly rateLimiter: RateLimiter;
  readonly faults = new Faults();
  requests: LoggedRequest[] = [];
  /** Add-on names held while a create awaits KMS and PostgreSQL, so two creates cannot take the same name. */
  readonly reservedNames = new Set<string>();
  /** Side effects still running (database drops, key checks); stop() waits for them. */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(opts: CoreOptions) {
    this.store = opts.store;
    this.clusters = opts.clusters;
    this.kmsEndpoint = opts.kmsEndpoint;
    this.publicRootPath = opts.publicRootPath;
    this.startSpeeds = opts.startSpeeds ?? {};
    this.rateLimiter = new RateLimiter(() => this.store.now());
  }

  track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p)).catch(() => undefined);
    return p;
  }

  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }
}
