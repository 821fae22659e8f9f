// What each e2e test file sets up the same way: moto and an emulator at e2e speeds, and a temp folder for the
// stacks' state, removed afterwards.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startServices, type Services } from "../support/services";
import { startOver } from "./emulator-client";

export interface E2eFixture {
  /** The running services (valid inside tests). */
  readonly s: Services;
  /** The temp folder of this file's stacks. */
  readonly workDir: string;
}

/** Registers beforeAll/afterAll for one test file and returns getters for what they make. */
export function e2eFixture(prefix: string): E2eFixture {
  let s: Services | undefined;
  let workDir: string | undefined;
  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), `hps-e2e-${prefix}-`));
    s = await startServices();
    await startOver(s);
  });
  afterAll(async () => {
    await s?.stop();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });
  return {
    get s(): Services {
      if (!s) throw new Error("services are only there inside tests");
      return s;
    },
    get workDir(): string {
      if (!workDir) throw new Error("the work folder is only there inside tests");
      return workDir;
    },
  };
}
