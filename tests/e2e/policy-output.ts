// Reads the policy violations the CLI prints in a preview's log, e.g.
// `heroku-pg-secure@v0.1.0 [mandatory]  allowlist-max-width  (pulumi-nodejs:dynamic/heroku-pg-secure:IpRule: office)`
// followed by the policy's description and, on the next line, the message.

export interface PrintedViolation {
  level: string;
  policy: string;
  type: string;
  name: string;
  message: string;
}

const HEADER = /heroku-pg-secure@v[\d.]+ \[(mandatory|advisory)\]\s+([a-z-]+)\s+\((.+?): ([^)]+)\)/;

export function printedViolations(log: string): PrintedViolation[] {
  const lines = log.split("\n");
  const out: PrintedViolation[] = [];
  lines.forEach((line, i) => {
    const m = HEADER.exec(line);
    if (m) out.push({ level: m[1]!, policy: m[2]!, type: m[3]!, name: m[4]!, message: lines[i + 1] ?? "" });
  });
  return out;
}
