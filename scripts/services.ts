// Starts and stops the local stand-ins for Heroku and AWS (the emulator and moto) as background processes, for
// the demo and for anyone trying the package by hand. Tests start their own in-process copies instead
// (tests/support/services.ts).
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { motoBinary } from "../tests/support/moto";
import { freePort, waitForHttp } from "../tests/support/net";
import { localServiceEnv } from "./service-env";

const repoRoot = path.resolve(__dirname, "..", "..");

export interface ServicesFile {
  motoPid: number;
  motoEndpoint: string;
  emulatorPid: number;
  url: string;
  httpsUrl: string;
  caCertPath: string;
  publicRootPath: string;
}

/** The acme team's token from emulator/seed.json: a local, published test value, not a secret. */
export const DEMO_TOKEN = "hps-acme-token-0001";

function servicesFile(dir: string): string {
  return path.join(dir, "services.json");
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function readServices(dir: string): ServicesFile | undefined {
  const file = servicesFile(dir);
  if (!fs.existsSync(file)) return undefined;
  const s = JSON.parse(fs.readFileSync(file, "utf8")) as ServicesFile;
  return alive(s.motoPid) && alive(s.emulatorPid) ? s : undefined;
}

/** The environment a Pulumi program (and its dynamic providers) needs to reach the local services. */
export function serviceEnv(s: ServicesFile): Record<string, string> {
  return localServiceEnv({
    token: DEMO_TOKEN,
    apiUrl: s.httpsUrl,
    caCertPath: s.caCertPath,
    kmsEndpoint: s.motoEndpoint,
  });
}

function waitForLine(file: string, pid: number, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
      const line = text.split("\n").find((l) => l.trim().startsWith("{"));
      if (line) return resolve(line);
      if (!alive(pid)) return reject(new Error(`the emulator exited while starting; see ${file}`));
      if (Date.now() > deadline)
        return reject(new Error(`the emulator did not start within ${timeoutMs} ms; see ${file}`));
      setTimeout(tick, 200);
    };
    tick();
  });
}

export async function startServices(dir: string): Promise<ServicesFile> {
  const running = readServices(dir);
  if (running) return running;
  fs.mkdirSync(dir, { recursive: true });
  const motoPort = await freePort();
  const motoLog = fs.openSync(path.join(dir, "moto.log"), "w");
  const moto = spawn(motoBinary(), ["-H", "127.0.0.1", "-p", String(motoPort)], {
    detached: true,
    stdio: ["ignore", motoLog, motoLog],
  });
  moto.unref();
  const motoEndpoint = `http://127.0.0.1:${motoPort}`;
  await waitForHttp(`${motoEndpoint}/moto-api/`, 30_000);

  const emulatorLogPath = path.join(dir, "emulator.log");
  const emulatorLog = fs.openSync(emulatorLogPath, "w");
  const emulator = spawn(
    process.execPath,
    [
      path.join(repoRoot, "dist", "emulator", "main.js"),
      "--state-dir",
      path.join(dir, "emulator"),
      "--kms-endpoint",
      motoEndpoint,
    ],
    { detached: true, stdio: ["ignore", emulatorLog, emulatorLog] },
  );
  emulator.unref();
  const ready = JSON.parse(await waitForLine(emulatorLogPath, emulator.pid ?? -1, 120_000)) as Omit<
    ServicesFile,
    "motoPid" | "motoEndpoint" | "emulatorPid"
  >;
  const services: ServicesFile = {
    motoPid: moto.pid ?? -1,
    motoEndpoint,
    emulatorPid: emulator.pid ?? -1,
    url: ready.url,
    httpsUrl: ready.httpsUrl,
    caCertPath: ready.caCertPath,
    publicRootPath: ready.publicRootPath,
  };
  fs.writeFileSync(servicesFile(dir), JSON.stringify(services, null, 2));
  return services;
}

export async function stopServices(dir: string): Promise<void> {
  const file = servicesFile(dir);
  if (!fs.existsSync(file)) return;
  const s = JSON.parse(fs.readFileSync(file, "utf8")) as ServicesFile;
  for (const pid of [s.emulatorPid, s.motoPid]) {
    if (!alive(pid)) continue;
    process.kill(pid, "SIGTERM");
    const deadline = Date.now() + 30_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    if (alive(pid)) process.kill(pid, "SIGKILL");
  }
  fs.rmSync(file);
}

if (require.main === module) {
  const [command, dirFlag, dirValue] = process.argv.slice(2);
  const dir = dirFlag === "--dir" && dirValue ? path.resolve(dirValue) : path.join(repoRoot, ".run", "demo");
  const run = async (): Promise<void> => {
    if (command === "start") {
      const s = await startServices(dir);
      process.stdout.write(`${JSON.stringify(s)}\n`);
    } else if (command === "stop") {
      await stopServices(dir);
    } else if (command === "env") {
      const s = readServices(dir);
      if (!s) throw new Error(`no running services in ${dir}: run "start" first`);
      for (const [k, v] of Object.entries(serviceEnv(s))) process.stdout.write(`export ${k}='${v}'\n`);
    } else {
      throw new Error("usage: services.js start|stop|env [--dir DIR]");
    }
  };
  run().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
