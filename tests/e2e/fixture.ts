// What each e2e test file sets up the same way: moto and an emulator at e2e speeds, and a temp folder for the
// stacks' state, removed afterwards.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type StackOptions } from "../support/pulumi";
import { startServices, type Services } from "../support/services";
import { startOver } from "./emulator-client";

export interface E2eFixture {
  /** The running services (valid inside tests). */
  readonly s: Services;
  /** The temp folder of this file's stacks. */
  readonly workDir: string;
}

/** A temp folder for a file's stacks and fresh services, for files that keep them in their own variables. */
export async function setUpE2e(prefix: string): Promise<{ services: Services; workDir: string }> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `hps-e2e-${prefix}-`));
  return { services: await startServices(), workDir };
}

/** Stops what {@link setUpE2e} started and removes the temp folder (either may be missing after a failed start). */
export async function tearDownE2e(services: Services | undefined, workDir: string | undefined): Promise<void> {
  await services?.stop();
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
}

/** Registers beforeAll/afterAll for one test file and returns getters for what they make. */
export function e2eFixture(prefix: string): E2eFixture {
  let s: Services | undefined;
  let workDir: string | undefined;
  beforeAll(async () => {
    ({ services: s, workDir } = await setUpE2e(prefix));
    await startOver(s);
  });
  afterAll(() => tearDownE2e(s, workDir));
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

/** A compiled program and the Pulumi project it runs as. */
export interface Program {
  program: string;
  project: string;
}

/** The demo and the examples, as e2e files run them. */
export const PROGRAMS = {
  demo: { program: "dist/index.js", project: "heroku-pg-secure-demo" },
  byokDatabase: { program: "dist/examples/byok-database/index.js", project: "byok-database" },
  mtlsExternalAccess: { program: "dist/examples/mtls-external-access/index.js", project: "mtls-external-access" },
  readOnlyAnalyst: { program: "dist/examples/read-only-analyst/index.js", project: "read-only-analyst" },
  environments: { program: "dist/examples/environments/index.js", project: "environments" },
} as const satisfies Record<string, Program>;

/** A program of tests/e2e/programs/. */
export function testProgram(file: string, project: string): Program {
  return { program: `dist/tests/e2e/programs/${file}.js`, project };
}

/** Where a file's stacks run: its temp folder (state goes in `state/`) and the services' environment. */
export interface StackSite {
  workDir: string;
  env: Record<string, string>;
}

/** One run of `program` as `stack`, its state in the file's temp folder. */
export function stackOptions(
  program: Program,
  site: StackSite,
  stack: string,
  rest: Partial<StackOptions> = {},
): StackOptions {
  return { ...program, stack, stateDir: path.join(site.workDir, "state"), env: site.env, ...rest };
}

/** The demo stack (index.ts: a key, the database, mTLS, two IP rules, two credentials), unprotected, its key alias
 * unique to the file (`tag`) and the stack. */
export function demoStack(site: StackSite, stack: string, tag: string): StackOptions {
  return stackOptions(PROGRAMS.demo, site, stack, { config: { protect: "false", keyAlias: `alias/${tag}-${stack}` } });
}
