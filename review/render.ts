// The Markdown a pull-request comment shows: a one-line count per section, then each section that has findings,
// and everything else on one line.
import type { Finding, Section } from "./classify";

export const SECTION_TITLES: Record<Exclude<Section, "other">, string> = {
  dataAtRisk: "Data at risk",
  accessOpened: "Access opened",
  accessPaused: "Access paused or removed",
  restarts: "Restarts",
};

export function renderReview(findings: Finding[], stack: string): string {
  const lines = [`## heroku-pg-secure review${stack ? ` of stack \`${stack}\`` : ""}`, ""];
  const sections = Object.entries(SECTION_TITLES) as [Exclude<Section, "other">, string][];
  lines.push(
    sections.map(([key, title]) => `${title}: ${findings.filter((f) => f.section === key).length}`).join(" · "),
  );
  for (const [key, title] of sections) {
    const items = findings.filter((f) => f.section === key);
    if (items.length === 0) continue;
    lines.push("", `### ${title}`, ...items.map((f) => `- ${f.text}`));
  }
  const other = findings.filter((f) => f.section === "other").map((f) => f.text);
  lines.push("", `**Everything else:** ${other.length > 0 ? other.join("; ") : "no other change"}.`);
  return `${lines.join("\n")}\n`;
}
