#!/usr/bin/env node
// `heroku-pg-secure review <preview.json | ->`: reads `pulumi preview --json` output and prints the security
// summary as Markdown for a pull-request comment.
import * as fs from "node:fs";
import { classify } from "./classify";
import { parsePreviewJson, stackOfUrn } from "./preview-json";
import { renderReview } from "./render";

const USAGE = "usage: heroku-pg-secure review <preview.json>   (the output of `pulumi preview --json`; - for stdin)";

function main(argv: string[]): number {
  const [command, file] = argv;
  if (command !== "review" || file === undefined) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const text = fs.readFileSync(file === "-" ? 0 : file, "utf8");
  const { steps } = parsePreviewJson(text);
  process.stdout.write(renderReview(classify(steps), stackOfUrn(steps[0]?.urn ?? "")));
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`heroku-pg-secure review: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
