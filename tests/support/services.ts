import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator/index";
import { localServiceEnv } from "../../scripts/service-env";
import { startMoto, type RunningMoto } from "./moto";

/** Seed values (emulator/seed.json) that tests refer to. */
export const ACME_TOKEN = "hps-acme-token-0001";
export const GLOBEX_TOKEN = "hps-globex-token-0001";
export const ACME_PRIVATE_APP = "acme-api";
export const ACME_REPORTS_APP = "acme-reports";
export const ACME_SHIELD_APP = "acme-vault";
export const ACME_EU_APP = "acme-eu";
export const ACME_HOBBY_APP = "acme-hobby";
export const GLOBEX_APP = "globex-api";

export interface Services {
  moto: RunningMoto;
  emulator: RunningEmulator;
  stateDir: string;
  /** What the provider reads: Heroku API locations and token, AWS pointed at moto. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** What the provider reads to reach these services: Heroku API locations and the acme token, AWS pointed at moto. */
export function serviceEnv(emulator: RunningEmulator, moto: RunningMoto): Record<string, string> {
  return localServiceEnv({
    token: ACME_TOKEN,
    apiUrl: emulator.url,
    httpsUrl: emulator.httpsUrl,
    caCertPath: emulator.caCertPath,
    kmsEndpoint: moto.endpoint,
  });
}

/**
 * moto plus an emulator in a fresh temp stateDir. HEROKU_API_URL is the plain-HTTP address so in-process callers
 * need no CA; HPS_EMULATOR_HTTPS_URL and NODE_EXTRA_CA_CERTS serve child processes that want HTTPS.
 */
export async function startServices(): Promise<Services> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "hps-emulator-"));
  const moto = await startMoto();
  let emulator: RunningEmulator;
  try {
    emulator = await startEmulator({ stateDir, kmsEndpoint: moto.endpoint });
  } catch (err) {
    await moto.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
    throw err;
  }
  const env = serviceEnv(emulator, moto);
  let stopped: Promise<void> | undefined;
  return {
    moto,
    emulator,
    stateDir,
    env,
    stop: () =>
      (stopped ??= (async () => {
        await emulator.stop();
        await moto.stop();
        fs.rmSync(stateDir, { recursive: true, force: true });
      })()),
  };
}
