// An app's database client for the migration e2e tests and the bench (bench/migration.ts): it keeps inserting rows into whatever
// DATABASE_URL the app has, stops while the app is in maintenance (as Heroku's router stops requests then), and
// reconnects to the app's DATABASE_URL when maintenance ends (as dynos restart with a changed config var).
import { Client } from "pg";
import { libpqUrl } from "./pg";

interface ServicesLike {
  emulator: { url: string };
  env: Record<string, string>;
}

async function getJson<T>(s: ServicesLike, path: string, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(`${s.emulator.url}${path}`, { headers });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

export interface Commit {
  id: number;
  /** When the commit was acknowledged (epoch ms). */
  at: number;
}

export async function appDatabaseUrl(s: ServicesLike, app: string): Promise<string> {
  const vars = await getJson<Record<string, string | null>>(s, `/apps/${app}/config-vars`, {
    Accept: "application/vnd.heroku+json; version=3",
    Authorization: `Bearer ${s.env.HEROKU_API_KEY ?? ""}`,
  });
  const url = vars.DATABASE_URL;
  if (!url) throw new Error(`app ${app} has no DATABASE_URL`);
  return url;
}

/** Read through the control API, so the client's polling never spends the account's rate limit. */
async function inMaintenance(s: ServicesLike, app: string): Promise<boolean> {
  const state = await getJson<{ apps: { name: string; maintenance?: boolean }[] }>(s, "/__emulator/state");
  return state.apps.find((a) => a.name === app)?.maintenance === true;
}

export async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: libpqUrl(url) });
  await client.connect();
  return client;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class OrdersWriter {
  readonly commits: Commit[] = [];
  /** Periods (epoch ms) in which the client wrote nothing because the app was in maintenance. */
  readonly pauses: { from: number; to: number }[] = [];
  readonly errors: string[] = [];
  private stopped = false;
  private done: Promise<void> | undefined;

  constructor(
    private readonly s: ServicesLike,
    private readonly app: string,
    private readonly everyMs = 50,
  ) {}

  start(): void {
    this.done = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }

  private async run(): Promise<void> {
    let url = await appDatabaseUrl(this.s, this.app);
    let client: Client | undefined = await connect(url);
    let pausedAt: number | undefined;
    let polledAt = 0;
    let maintenance = false;
    while (!this.stopped) {
      if (Date.now() - polledAt >= 100) {
        maintenance = await inMaintenance(this.s, this.app);
        polledAt = Date.now();
      }
      if (maintenance) {
        pausedAt ??= Date.now();
        await sleep(25);
        continue;
      }
      if (pausedAt !== undefined) {
        this.pauses.push({ from: pausedAt, to: Date.now() });
        pausedAt = undefined;
        const now = await appDatabaseUrl(this.s, this.app);
        if (now !== url) {
          await client?.end().catch(() => undefined);
          client = undefined;
          url = now;
        }
      }
      try {
        client ??= await connect(url);
        const r = await client.query<{ id: number }>("insert into orders (note) values ($1) returning id", ["live"]);
        const id = r.rows[0]?.id;
        if (id !== undefined) this.commits.push({ id: Number(id), at: Date.now() });
      } catch (err) {
        this.errors.push(err instanceof Error ? err.message : String(err));
        await client?.end().catch(() => undefined);
        client = undefined;
      }
      await sleep(this.everyMs);
    }
    await client?.end().catch(() => undefined);
  }
}

/** The ids in the orders table of the database at `url`. */
export async function orderIds(url: string): Promise<Set<number>> {
  const client = await connect(url);
  try {
    const r = await client.query<{ id: number }>("select id from orders");
    return new Set(r.rows.map((row) => Number(row.id)));
  } finally {
    await client.end();
  }
}

/** A table with `rows` orders in the database at `url`. */
export async function seedOrders(url: string, rows: number): Promise<void> {
  const client = await connect(url);
  try {
    await client.query("create table orders (id bigserial primary key, note text not null)");
    await client.query("insert into orders (note) select 'seed ' || g from generate_series(1, $1::int) g", [rows]);
  } finally {
    await client.end();
  }
}
