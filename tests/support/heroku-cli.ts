import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { RunningEmulator } from "../../emulator/index";
import { ACME_TOKEN } from "./services";

/** Where scripts/install-heroku-cli.sh puts the pinned CLI (HEROKU_CLI_VERSION in scripts/env.sh). */
export function herokuCliEntry(): string {
  const cache =
    process.env.HPS_CACHE ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "heroku-pg-secure");
  return path.join(cache, "heroku-cli", "node_modules", "heroku", "bin", "run.js");
}

/**
 * The environment that points the unchanged Heroku CLI at the emulator, and nothing else of the caller's:
 * - HEROKU_HOST: a full URL is used as the Platform API URL (@heroku-cli/command `vars.js`, localhost allowed);
 * - HEROKU_DATA_HOST: a bare host name. The CLI passes it as `hostname` and keeps the port and scheme of the
 *   Platform API URL (@heroku-cli/command `api-client.js` defaults, @heroku/http-call), so `localhost` reaches the
 *   same emulator port that serves both APIs; `localhost:PORT` would be looked up as a host name (ENOTFOUND);
 * - HEROKU_PARTICLEBOARD_URL: the CLI asks particleboard.heroku.com about delinquency next to `GET /account` and
 *   retries for seconds when it cannot resolve it; the emulator answers `GET /account` itself;
 * - a fresh HOME, so no ~/.netrc or CLI config of the machine's user is read; DISABLE_TELEMETRY=true.
 */
export function herokuCliEnv(emulator: RunningEmulator, home: string): Record<string, string> {
  return {
    PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    HOME: home,
    HEROKU_API_KEY: ACME_TOKEN,
    HEROKU_HOST: emulator.httpsUrl,
    HEROKU_DATA_HOST: new URL(emulator.httpsUrl).hostname,
    HEROKU_PARTICLEBOARD_URL: emulator.httpsUrl,
    NODE_EXTRA_CA_CERTS: emulator.caCertPath,
    DISABLE_TELEMETRY: "true",
    NO_COLOR: "1",
    COLUMNS: "200",
    PGCONNECT_TIMEOUT: "10",
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface HerokuCli {
  /** Runs `heroku ...args`; resolves with the exit code (never rejects on a failing command). */
  run(...args: string[]): Promise<CliResult>;
  /** Runs it and fails with its output unless it exits 0. */
  ok(...args: string[]): Promise<string>;
  /** Every command line run so far, for the test's report. */
  readonly ran: string[];
  cleanup(): void;
}

export function herokuCli(emulator: RunningEmulator): HerokuCli {
  const entry = herokuCliEntry();
  if (!fs.existsSync(entry)) throw new Error(`The Heroku CLI is not installed at ${entry}: run scripts/setup.sh`);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "hps-heroku-cli-"));
  const env = herokuCliEnv(emulator, home);
  const ran: string[] = [];
  const run = (...args: string[]): Promise<CliResult> => {
    ran.push(`heroku ${args.join(" ")}`);
    return new Promise((resolve) => {
      execFile(process.execPath, [entry, ...args], { env, timeout: 90_000, cwd: home }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  };
  return {
    run,
    ran,
    async ok(...args) {
      const r = await run(...args);
      if (r.code !== 0) throw new Error(`heroku ${args.join(" ")} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
      return r.stdout;
    },
    cleanup: () => fs.rmSync(home, { recursive: true, force: true }),
  };
}
