// The BYOK migration's phases at the emulator's speeds (issue 15), run by `npm run bench` (bench/run.ts): a
// Private database with rows and a client that keeps writing, then a follower encrypted with a customer key
// (catch-up: from the create to a follower that has caught up), its promotion (the maintenance window: how long
// the app's writes stopped) and a plan change in place. It drives the provider's hooks directly, so the times are
// the provider's and the emulator's, not the CLI's. Writes bench/MIGRATION.md; never asserts on time.
import * as fs from "node:fs";
import * as path from "node:path";
import { CreateKeyCommand, KMSClient, PutKeyPolicyCommand } from "@aws-sdk/client-kms";
import * as hooks from "../provider/secure-database/hooks";
import type { SecureDatabaseInputs } from "../provider/secure-database/types";
import { buildKeyPolicy } from "../sdk/key-policy";
import { appDatabaseUrl, orderIds, OrdersWriter, seedOrders } from "../tests/support/orders-writer";
import { repoRoot } from "../tests/support/repo";
import { startServices, type Services } from "../tests/support/services";

const APP = "acme-api";
const PLAN = "heroku-postgresql:private-0";
const SEED_ROWS = 10_000;
/** The emulated delays of this run (PUT /__emulator/speed), the bench's add-on delay and the default plan change. */
const SPEEDS = {
  "addon-provision": { ms: 3000 },
  "addon-deprovision": "immediate",
  "plan-change": { ms: 1500 },
  "plan-changeover": { ms: 1000 },
};

interface Logged {
  method: string;
  path: string;
  status: number;
  at?: string;
  receivedAt?: string;
}

async function control<T>(s: Services, method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${s.emulator.url}/__emulator${route}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} /__emulator${route}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = Date.now();
  const value = await work();
  return { ms: Date.now() - started, value };
}

/** A customer key in moto whose policy lets Heroku use it, registered with the emulator. */
async function customerKey(s: Services): Promise<string> {
  const kms = new KMSClient({ region: "us-east-1", endpoint: s.env.AWS_ENDPOINT_URL_KMS });
  const made = await kms.send(new CreateKeyCommand({ Description: "bench: migration" }));
  const keyId = made.KeyMetadata?.KeyId ?? "";
  const accountId = made.KeyMetadata?.AWSAccountId ?? "";
  await kms.send(
    new PutKeyPolicyCommand({
      KeyId: keyId,
      PolicyName: "default",
      Policy: JSON.stringify(buildKeyPolicy({ accountId })),
    }),
  );
  await control(s, "POST", "/kms-sync");
  return made.KeyMetadata?.Arn ?? "";
}

export async function benchMigration(): Promise<void> {
  const log = (line: string): void => void process.stderr.write(`[bench:migration] ${line}\n`);
  const s = await startServices();
  const saved = { ...process.env };
  Object.assign(process.env, s.env);
  try {
    await control(s, "PUT", "/speed", SPEEDS);
    const leaderInputs: SecureDatabaseInputs = { app: APP, plan: PLAN, enhancedCertificates: false };
    const leader = await hooks.create(leaderInputs);
    await seedOrders(await appDatabaseUrl(s, APP), SEED_ROWS);
    const writer = new OrdersWriter(s, APP, 20);
    writer.start();
    const keyArn = await customerKey(s);
    log("making the follower");
    const followerInputs: SecureDatabaseInputs = { ...leaderInputs, encryptionKeyArn: keyArn, follow: leader.id };
    const catchUp = await timed(() => hooks.create(followerInputs));
    await control(s, "DELETE", "/requests");
    log("promoting it");
    const promotion = await timed(() =>
      hooks.update(catchUp.value.id, catchUp.value.outs, { ...followerInputs, promote: true }),
    );
    const calls = (await control<Logged[]>(s, "GET", "/requests")).filter(
      (r) => r.method === "PATCH" && r.path === `/apps/${APP}` && r.status === 200,
    );
    await new Promise((r) => setTimeout(r, 500));
    await writer.stop();
    const on = Date.parse(calls[0]?.receivedAt ?? "");
    const off = Date.parse(calls[calls.length - 1]?.at ?? "");
    const paused = writer.pauses.reduce((sum, p) => sum + (p.to - p.from), 0);
    const before = writer.commits.filter((c) => c.at < on);
    const inNew = await orderIds(await appDatabaseUrl(s, APP));
    const lost = before.filter((c) => !inNew.has(c.id)).length;
    log("changing the new primary's plan in place");
    const primary = promotion.value.outs;
    const planChange = await timed(() =>
      hooks.update(primary.addonId, primary, { ...followerInputs, promote: true, plan: "heroku-postgresql:private-2" }),
    );
    await hooks.delete(leader.id, leader.outs);
    const rows = [
      ["phase", "time", "what it is"],
      [
        "catch-up",
        ms(catchUp.ms),
        `follower create (add-on ${SPEEDS["addon-provision"].ms} ms) until it has caught up with ${SEED_ROWS} seeded rows and live writes`,
      ],
      [
        "promotion",
        ms(promotion.ms),
        "the whole update: catch-up check, maintenance on, catch-up wait, DATABASE, unfollow, maintenance off",
      ],
      [
        "maintenance window",
        ms(off - on),
        "PATCH maintenance on arrived to PATCH maintenance off answered (emulator request log)",
      ],
      ["writes refused", ms(paused), "the client's own pause (it stops while the app is in maintenance)"],
      [
        "plan change",
        ms(planChange.ms),
        `private-0 to private-2 in place (plan-change ${SPEEDS["plan-change"].ms} ms, changeover ${SPEEDS["plan-changeover"].ms} ms)`,
      ],
    ];
    const markdown = [
      "# BYOK migration phases",
      "",
      `Written by \`npm run bench\` (bench/migration.ts) on ${new Date().toISOString()}. The client wrote ${writer.commits.length} rows every 20 ms throughout; ${before.length} were committed before maintenance began and ${lost} of them are missing from the new primary.`,
      "",
      ...rows.map((r, i) => `| ${r.join(" | ")} |${i === 0 ? `\n|${r.map(() => "---").join("|")}|` : ""}`),
      "",
    ].join("\n");
    const out = path.join(repoRoot(), "bench", "MIGRATION.md");
    // Formatted as the repository's prettier would, so `prettier --check` passes on the generated file.
    const prettier = await import("prettier");
    const options = (await prettier.resolveConfig(out)) ?? {};
    fs.writeFileSync(out, await prettier.format(markdown, { ...options, filepath: out }));
    for (const r of rows.slice(1)) log(`${r[0]}: ${r[1]}`);
    log(`wrote ${path.relative(repoRoot(), out)}`);
  } finally {
    process.env = saved;
    await s.stop();
  }
}

function ms(n: number): string {
  return Number.isFinite(n) ? `${(n / 1000).toFixed(2)} s` : "not measured";
}
