// The peer comparison's section of RESULTS.md: herokux and this project on the same workload, side by side, at
// each speed setting (bench/workloads/peer.ts measures them).
import type { LoggedRequest } from "./measure";
import { countByRoute, delayList, noticeSummary, ratio, s } from "./report-format";
import type { PeerResult, ToolRun } from "./workloads/peer";

/** Both tools' calls per route, the routes either made, most calls first. */
function sideBySide(a: LoggedRequest[], b: LoggedRequest[]): string {
  const ca = countByRoute(a);
  const cb = countByRoute(b);
  const routes = [...new Set([...ca.keys(), ...cb.keys()])].sort(
    (x, y) => (cb.get(y) ?? 0) + (ca.get(y) ?? 0) - ((cb.get(x) ?? 0) + (ca.get(x) ?? 0)),
  );
  return routes.map((r) => `| \`${r}\` | ${ca.get(r) ?? 0} | ${cb.get(r) ?? 0} |`).join("\n");
}

/** Answers other than 2xx during apply/up and destroy, by status: a route the emulator lacks would show here. */
function failures(run: ToolRun): string {
  const counts = new Map<number, number>();
  for (const q of [...run.up.log, ...run.destroy.log])
    if (q.status < 200 || q.status >= 300) counts.set(q.status, (counts.get(q.status) ?? 0) + 1);
  if (counts.size === 0) return "none";
  return [...counts.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([status, n]) => `${n} × ${status === 0 ? "dropped" : status}`)
    .join(", ");
}

function noticeText(run: ToolRun): string {
  if (run.up.notices.length === 0) return "none";
  const n = noticeSummary(run.up.notices);
  return `${s(n.median)} / ${s(n.worst)} (${run.up.notices.length})`;
}

function speedTable(p: PeerResult, cli: string): string {
  const h = p.herokux;
  const j = p.project;
  const row = (label: string, a: number, b: number, f: (x: number) => string): string =>
    `| ${label} | ${f(a)} | ${f(b)} | ${ratio(b / a)} |`;
  const n = (x: number): string => String(x);
  return `### ${p.speed === "default" ? "Default speeds" : "Heroku-like speeds"}

Emulated delays: ${delayList(p.delays)} (the add-on's does not apply: the database exists before each run).

| | herokux (${cli}) | project (Pulumi) | project / herokux |
|---|---|---|---|
${row("`apply` / `up` wall time", h.up.ms, j.up.ms, s)}
${row("API calls of `apply` / `up`", h.up.log.length, j.up.log.length, n)}
${row("`destroy` wall time", h.destroy.ms, j.destroy.ms, s)}
${row("API calls of `destroy`", h.destroy.log.length, j.destroy.log.length, n)}
| \`plan\` / \`preview\` right after: time, API calls | ${s(h.noChange.ms)}, ${h.noChange.log.length}${h.noChange.changes ? " (**proposes changes**)" : ", no changes"} | ${s(j.noChange.ms)}, ${j.noChange.log.length}, no changes | |
| notice delay of \`apply\` / \`up\`, median / worst (transitions) | ${noticeText(h)} | ${noticeText(j)} | |
| answers other than 2xx (\`apply\`/\`up\` and \`destroy\`) | ${failures(h)} | ${failures(j)} | |
| emulator after \`apply\` / \`up\` | ${h.afterUp} | ${j.afterUp} | |
| emulator after \`destroy\` | ${h.afterDestroy} | ${j.afterDestroy} | |

Calls of \`apply\` / \`up\`:

| call | herokux | project |
|---|---|---|
${sideBySide(h.up.log, j.up.log)}

Calls of \`destroy\`:

| call | herokux | project |
|---|---|---|
${sideBySide(h.destroy.log, j.destroy.log)}
`;
}

export function peerSection(peer: { default: PeerResult; herokuLike?: PeerResult; cli: string }): string {
  const cli = peer.cli;
  return `## Peer comparison: terraform-provider-herokux

The same workload through both tools, each on a freshly reset emulator with a Private database made just before
(\`heroku addons:create --wait\` as a user would): mTLS with one client certificate (the one enabling makes),
5 IP rules (127.0.0.1/32 among them), 3 credentials with no permissions. herokux: bench/peer/main.tf, run by
${cli} with a dev_overrides CLI config (no \`init\`); it polls every 20 s. Project: bench/programs/peer-workload.ts,
the SecurePostgres component adopting the database (so its \`up\` also reads the database) and keeping it on
destroy, at the CLI's default parallelism. Wall times are of the whole command (the CLI's start included); API
calls are every Platform and Data API request in the emulator's log during the command. Terraform's \`destroy\`
refreshes first; Pulumi's does not.

${speedTable(peer.default, cli)}
${peer.herokuLike ? speedTable(peer.herokuLike, cli) : ""}`;
}
