import { startEmulator, type EmulatorOptions } from "./index";
import { isPreset, PRESETS } from "./machines/presets";

/**
 * CLI: `npm run emulator -- --state-dir DIR --kms-endpoint URL [--port N] [--https-port N] [--seed FILE]
 * [--speeds standalone|immediate|heroku] [--speed-factor F]`. Each flag may also come from the environment
 * (HPS_EMULATOR_STATE_DIR, AWS_ENDPOINT_URL_KMS, HPS_EMULATOR_PORT, HPS_EMULATOR_HTTPS_PORT, HPS_EMULATOR_SEED,
 * HPS_EMULATOR_SPEEDS, HPS_EMULATOR_SPEED_FACTOR). Prints one JSON line once ready.
 */
function flag(args: string[], name: string): string | undefined {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  const arg = args[i]!;
  return arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : args[i + 1];
}

function optionalPort(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number, got ${value}`);
  return n;
}

function speeds(preset: string | undefined, factor: string | undefined): EmulatorOptions["speeds"] {
  if (preset === undefined || preset === "") {
    if (factor) throw new Error("--speed-factor needs --speeds");
    return undefined;
  }
  if (!isPreset(preset)) throw new Error(`--speeds must be one of ${PRESETS.join(", ")}, got ${preset}`);
  if (factor === undefined || factor === "") return { preset };
  const n = Number(factor);
  if (!(n > 0) || !Number.isFinite(n)) throw new Error(`--speed-factor must be a number above 0, got ${factor}`);
  return { preset, factor: n };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const env = process.env;
  const stateDir = flag(args, "state-dir") ?? env.HPS_EMULATOR_STATE_DIR ?? ".run/emulator";
  const kmsEndpoint = flag(args, "kms-endpoint") ?? env.AWS_ENDPOINT_URL_KMS ?? "http://127.0.0.1:5000";
  const opts: EmulatorOptions = { stateDir, kmsEndpoint };
  const port = optionalPort(flag(args, "port") ?? env.HPS_EMULATOR_PORT, "--port");
  const httpsPort = optionalPort(flag(args, "https-port") ?? env.HPS_EMULATOR_HTTPS_PORT, "--https-port");
  const seedFile = flag(args, "seed") ?? env.HPS_EMULATOR_SEED;
  const speedPreset = speeds(
    flag(args, "speeds") ?? env.HPS_EMULATOR_SPEEDS,
    flag(args, "speed-factor") ?? env.HPS_EMULATOR_SPEED_FACTOR,
  );
  if (port !== undefined) opts.port = port;
  if (httpsPort !== undefined) opts.httpsPort = httpsPort;
  if (seedFile) opts.seedFile = seedFile;
  if (speedPreset) opts.speeds = speedPreset;

  const emulator = await startEmulator(opts);
  const { url, httpsUrl, caCertPath, publicRootPath } = emulator;
  process.stdout.write(JSON.stringify({ url, httpsUrl, caCertPath, publicRootPath }) + "\n");

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    emulator.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`emulator: stop after ${signal} failed: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((err: unknown) => {
  console.error(`emulator: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
