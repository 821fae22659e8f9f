import { spawn, type ChildProcess } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { freePort, waitForHttp } from "./net";

/** A moto server standing in for AWS KMS, on a free loopback port. Installed by scripts/install-moto.sh. */
export interface RunningMoto {
  endpoint: string;
  stop(): Promise<void>;
}

export function motoBinary(): string {
  const cache =
    process.env.HPS_CACHE ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "heroku-pg-secure");
  return path.join(cache, "moto-venv", "bin", "moto_server");
}

export async function startMoto(): Promise<RunningMoto> {
  const port = await freePort();
  const child: ChildProcess = spawn(motoBinary(), ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${endpoint}/moto-api/`, 30_000);
  } catch (err) {
    child.kill("SIGKILL");
    throw new Error(`moto did not start on ${endpoint}: ${(err as Error).message}\n${stderr}`, { cause: err });
  }
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
