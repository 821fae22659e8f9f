import * as fs from "node:fs";
import * as path from "node:path";

/** The repository root, whether this runs from source (ts-jest) or compiled under dist/ (the demo). */
export function repoRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (path.basename(dir) !== "dist" && fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
  }
  throw new Error(`no repository root above ${__dirname}`);
}
