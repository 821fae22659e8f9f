// The reference stack's section of RESULTS.md: up against the critical path, API calls, notice delays, previews,
// refresh, state size, memory and scaling (bench/workloads/reference.ts measures them).
import { IDEAL_POLL_INTERVAL_MS, minimumCalls, quantile, type LoggedRequest } from "./measure";
import { breakdown, delayList, noticeSummary, ratio, s, verdict } from "./report-format";
import { RECOMMENDED_PARALLEL, REFERENCE, type ReferenceResult, type ReferenceUp } from "./workloads/reference";

const HOURLY_BUDGET = 4500;
const at = (q: LoggedRequest): number => (typeof q.at === "number" ? q.at : Date.parse(q.at));

export const upRatio = (up: ReferenceUp, trivialMs: number): number => (up.upMs - trivialMs) / up.criticalMs;

/** When the phases of `up` happened, in seconds after its first Heroku API call, from the request log. */
function timeline(reqs: LoggedRequest[]): string {
  const t0 = Math.min(...reqs.map(at));
  const rows: [string, (q: LoggedRequest) => boolean][] = [
    ["add-on create", (q) => q.method === "POST" && /^\/apps\/[^/]+\/addons$/.test(q.path)],
    ["mTLS enable", (q) => q.method === "POST" && q.path.endsWith("/tls-endpoint")],
    ["certificate create", (q) => q.method === "POST" && q.path.endsWith("/tls-endpoint/certificates")],
    ["IP rule creates", (q) => q.method === "POST" && q.path.endsWith("/ip-rules")],
    ["credential creates", (q) => q.method === "POST" && q.path.endsWith("/credentials")],
    ["credential reads", (q) => q.method === "GET" && /\/credentials\/[^/]+$/.test(q.path)],
    ["any call", () => true],
  ];
  return rows
    .map(([label, match]) => {
      const times = reqs.filter(match).map(at);
      if (times.length === 0) return `| ${label} | | | 0 |`;
      const first = (Math.min(...times) - t0) / 1000;
      const last = (Math.max(...times) - t0) / 1000;
      return `| ${label} | ${first.toFixed(1)} s | ${last.toFixed(1)} s | ${times.length} |`;
    })
    .join("\n");
}

function noticeByKind(up: ReferenceUp): string {
  const byKind = new Map<string, number[]>();
  for (const d of up.notices) byKind.set(d.kind, [...(byKind.get(d.kind) ?? []), d.delayMs]);
  return [...byKind.entries()]
    .map(([k, v]) => `| ${k} | ${v.length} | ${s(quantile(v, 0.5))} | ${s(Math.max(...v))} |`)
    .join("\n");
}

export function referenceSection(r: ReferenceResult): string {
  const up = r.ups.default;
  const slow = r.ups.herokuLike;
  const d = up.delays;
  const defaultRatio = upRatio(up, r.trivialUpMs);
  const parallelRatio = (r.parallelUpMs - r.trivialParallelUpMs) / up.criticalMs;
  const min = minimumCalls(REFERENCE, d);
  const callRatio = up.upLog.length / min.total;
  const platformCalls = up.upLog.filter((q) => !q.path.startsWith("/client/") && !q.path.startsWith("/postgres/"));
  const notice = noticeSummary(up.notices);
  const maxState = Math.max(...r.perResource.map((p) => p.bytes));
  const maxProvider = Math.max(...r.perResource.map((p) => p.providerBytes));
  const byType = new Map<string, { n: number; bytes: number; provider: number }>();
  for (const p of r.perResource) {
    const t = byType.get(p.type) ?? { n: 0, bytes: 0, provider: 0 };
    byType.set(p.type, { n: t.n + 1, bytes: t.bytes + p.bytes, provider: Math.max(t.provider, p.providerBytes) });
  }
  const firstWrites = r.firstPreviewLog.filter((q) => q.method !== "GET").length;
  const slowCol = (f: (u: ReferenceUp) => string): string => (slow ? ` ${f(slow)} |` : "");
  const slowHead = slow ? " Heroku-like speeds, CLI default |" : "";

  return `## Reference stack

1 CustomerKey, 1 Private SecureDatabase (BYOK), MtlsConfig with ${REFERENCE.certificates} certificates,
one IpAllowlist of ${REFERENCE.rules} blocks, ${REFERENCE.credentials} read-only Credentials (${r.resourceCount} resources), wired as
SecurePostgres wires them (bench/programs/reference.ts), on a fresh emulator
and a fresh stack. Default speeds (PUT /__emulator/speed, \`{ms}\`): ${delayList(d)}.${slow ? ` Heroku-like: ${delayList(slow.delays)}.` : ""}
The customer key is created in moto (no emulated delay).

| measure | value | goal | |
|---|---|---|---|
| (up − trivial up) / critical path, CLI default parallelism | ${ratio(defaultRatio)} | ≤ 1.15 | ${verdict(defaultRatio <= 1.15)} |
| the same with \`PULUMI_PARALLEL=${RECOMMENDED_PARALLEL}\` (README's advice) | ${ratio(parallelRatio)} | ≤ 1.15 | ${verdict(parallelRatio <= 1.15)} |
${slow ? `| (up − trivial up) / critical path at Heroku-like speeds, CLI default parallelism | ${ratio(upRatio(slow, r.trivialUpMs))} | ≤ 1.15 | ${verdict(upRatio(slow, r.trivialUpMs) <= 1.15)} |\n` : ""}| API calls of \`up\` with \`PULUMI_PARALLEL=${RECOMMENDED_PARALLEL}\` | ${r.parallelLog.length} | | |
| API calls of \`up\` / minimum | ${up.upLog.length} / ${min.total} = ${ratio(callRatio)} | ≤ 1.5 | ${verdict(callRatio <= 1.5)} |
| share of the 4,500-call hourly budget | ${((100 * up.upLog.length) / HOURLY_BUDGET).toFixed(1)} % (Platform API only: ${((100 * platformCalls.length) / HOURLY_BUDGET).toFixed(1)} %) | | |
| notice delay, median / worst | ${s(notice.median)} / ${s(notice.worst)} (${up.notices.length} transitions) | median ≤ ${s(notice.allowed)} | ${verdict(notice.median <= notice.allowed)} |
| first \`preview\` (fresh stack, nothing deployed): time, API calls | ${s(r.firstPreviewMs)}, ${r.firstPreviewLog.length} (${firstWrites} not GET) | read-only | ${verdict(firstWrites === 0)} |
| \`preview\` (no changes): time, API calls | ${s(r.previewMs)}, ${r.previewLog.length} | 0 calls | ${verdict(r.previewLog.length === 0)} |
| \`refresh\`: time, API calls | ${s(r.refreshMs)}, ${r.refreshLog.length} | | |
| serialized provider per resource, largest | ${maxProvider} B | < 10 KB | ${verdict(maxProvider < 10240)} |
| state per resource, largest (whole resource) | ${maxState} B | | |
| peak RSS of the dynamic provider process | ${(r.mem.peakKiB / 1024).toFixed(0)} MiB (${r.mem.processes} process(es) sampled) | | |

### up time against the critical path

| | default speeds, CLI default parallelism | default speeds, \`PULUMI_PARALLEL=${RECOMMENDED_PARALLEL}\` |${slowHead}
|---|---|---|${slow ? "---|" : ""}
| \`up\` wall time (reference) | ${s(up.upMs)} | ${s(r.parallelUpMs)} |${slowCol((u) => s(u.upMs))}
| \`up\` wall time (trivial stack, ${r.resourceCount} do-nothing dynamic resources, same shape) | ${s(r.trivialUpMs)} | ${s(r.trivialParallelUpMs)} |${slowCol(() => s(r.trivialUpMs))}
| difference | ${s(up.upMs - r.trivialUpMs)} | ${s(r.parallelUpMs - r.trivialParallelUpMs)} |${slowCol((u) => s(u.upMs - r.trivialUpMs))}
| critical path of the emulated delays | ${s(up.criticalMs)} | ${s(up.criticalMs)} |${slowCol((u) => s(u.criticalMs))}
| ratio | ${ratio(defaultRatio)} | ${ratio(parallelRatio)} |${slowCol((u) => ratio(upRatio(u, r.trivialUpMs)))}
| API calls | ${up.upLog.length} | ${r.parallelLog.length} |${slowCol((u) => String(u.upLog.length))}
| notice delay, median / worst | ${s(notice.median)} / ${s(notice.worst)} | |${slowCol((u) => `${s(noticeSummary(u.notices).median)} / ${s(noticeSummary(u.notices).worst)}`)}

Critical path: add-on → mTLS enabled, its certificates ready (the first made by enabling, the others at once) →
the allowlist, until its rules are Authorized and the endpoint Operational → the credentials (the provider
applies their grants over mTLS from 127.0.0.1, the allowlist's first block). The trivial stack does not depend on the emulator's speeds, so the Heroku-like column subtracts the
same trivial \`up\`. Wall times are of the whole driver (scripts/stack.ts: workspace, config, the CLI), the same
fixed cost in both stacks, so the difference isolates what the provider and the emulated delays add.

Where the time went at default speeds (seconds after \`up\`'s first Heroku API call; the key is created in moto
before it):

| phase | first | last | calls |
|---|---|---|---|
${timeline(up.upLog)}
${slow ? `\nAt Heroku-like speeds:\n\n| phase | first | last | calls |\n|---|---|---|---|\n${timeline(slow.upLog)}\n` : ""}
### API calls

\`up\` made ${up.upLog.length} calls (Platform API ${platformCalls.length}, Data API ${up.upLog.length - platformCalls.length}).
Minimum ${min.total} = ${min.creates} creates (add-on, mTLS, ${REFERENCE.certificates - 1} more certificate — enabling
mTLS makes the first —, ${REFERENCE.rules} rules, ${REFERENCE.credentials} credentials) + ${min.polls} status reads:
per wait of d, ceil(d / ${IDEAL_POLL_INTERVAL_MS / 1000} s) (one wait each for the add-on, every certificate and credential, and the
allowlist's rules with the endpoint, which one endpoint read shows together), ${IDEAL_POLL_INTERVAL_MS / 1000} s being
the longest poll interval that still notices a change within the 2 s goal (at least one read each). KMS calls (to
moto) are not Heroku API calls and are not counted. Hourly budget: 4,500 calls per account.

| call | count |
|---|---|
${breakdown(up.upLog)}

### Notice delay by kind

Time from an object's transition (its creation on the emulator + the configured delay) to the first GET of that
object's own path (or of a list showing it) at or after it, from the request log.

| kind | transitions | median | worst |
|---|---|---|---|
${noticeByKind(up)}
${slow ? `\nAt Heroku-like speeds:\n\n| kind | transitions | median | worst |\n|---|---|---|---|\n${noticeByKind(slow)}\n` : ""}
### previews and refresh

First \`preview\` of the fresh stack (nothing deployed): ${s(r.firstPreviewMs)}, ${r.firstPreviewLog.length} API calls.
\`preview\` with no changes: ${s(r.previewMs)}, ${r.previewLog.length} API calls.
\`refresh\` of the whole stack: ${s(r.refreshMs)}, ${r.refreshLog.length} API calls.

${r.firstPreviewLog.length > 0 ? `| first preview call | count |\n|---|---|\n${breakdown(r.firstPreviewLog)}\n` : ""}
${r.refreshLog.length > 0 ? `| refresh call | count |\n|---|---|\n${breakdown(r.refreshLog)}\n` : ""}
### State size (pulumi stack export)

| type | resources | bytes per resource (mean) | serialized provider (\`__provider\`) |
|---|---|---|---|
${[...byType.entries()].map(([t, v]) => `| ${t} | ${v.n} | ${Math.round(v.bytes / v.n)} | ${v.provider} |`).join("\n")}

### Scaling (IP rules and credentials)

Each row is a fresh stack on a freshly reset emulator at default speeds and \`PULUMI_PARALLEL=${RECOMMENDED_PARALLEL}\`:
key, database, mTLS with 2 certificates, N IP rules and M credentials (at most 60 per database with the default
one, hence 59).

| IP rules | credentials | up | critical path | API calls | minimum | calls / minimum |
|---|---|---|---|---|---|---|
${r.scaled
  .map(
    (x) =>
      `| ${x.shape.rules} | ${x.shape.credentials} | ${s(x.upMs)} | ${s(x.criticalMs)} | ${x.calls} | ${x.minimum} | ${ratio(x.calls / x.minimum)} |`,
  )
  .join("\n")}
`;
}
