// The peer's toolchain: terraform-provider-herokux built by scripts/install-peer.sh, run by the machine's
// `terraform` (or the OpenTofu that script builds) with a dev_overrides CLI config, so nothing is fetched from a
// registry and `init` is not needed.
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../../tests/support/repo";
import type { Services } from "../../tests/support/services";
import { ACME_TOKEN } from "../../tests/support/services";

export interface PeerTool {
  /** `terraform`, or the path of the cached `tofu`. */
  cli: string;
  /** What `<cli> version` reports, and the provider's pinned version. */
  version: string;
  herokuxVersion: string;
  /** The directory holding terraform-provider-herokux (the dev_overrides target). */
  pluginDir: string;
}

/** Builds (or finds in the cache) herokux and the CLI; scripts/install-peer.sh prints the CLI and the directory. */
export function preparePeer(): PeerTool {
  const out = execFileSync("bash", [path.join(repoRoot(), "scripts", "install-peer.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  })
    .trim()
    .split("\n");
  const [cli, pluginDir] = out.slice(-2);
  if (!cli || !pluginDir) throw new Error(`scripts/install-peer.sh printed ${out.join(" | ")}`);
  const version = JSON.parse(
    execFileSync(cli, ["version", "-json"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }),
  ) as {
    terraform_version: string;
  };
  const name = path.basename(cli) === "tofu" ? "OpenTofu" : "Terraform";
  const herokuxVersion = /herokux-v([\d.]+)$/.exec(pluginDir)?.[1] ?? "unknown";
  return { cli, version: `${name} v${version.terraform_version}`, herokuxVersion, pluginDir };
}

/**
 * A working directory for one Terraform state: bench/peer/main.tf and a CLI config whose dev_overrides point
 * davidji99/herokux at the local build. The directory is 0700 and every run has umask 077: the state holds the
 * credentials' passwords and the certificate's private key.
 */
export function peerDir(work: string, tool: PeerTool, name: string): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.copyFileSync(path.join(repoRoot(), "bench", "peer", "main.tf"), path.join(dir, "main.tf"));
  const rc = `provider_installation {\n  dev_overrides {\n    "davidji99/herokux" = ${JSON.stringify(tool.pluginDir)}\n  }\n  direct {}\n}\n`;
  fs.writeFileSync(path.join(dir, "cli.tfrc"), rc, { mode: 0o600 });
  return dir;
}

/** What herokux reads (herokux/provider.go): the token, both API URLs, and Go's trust store for the emulator CA. */
function peerEnv(services: Services, dir: string): Record<string, string> {
  return {
    TF_CLI_CONFIG_FILE: path.join(dir, "cli.tfrc"),
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
    HEROKU_API_KEY: ACME_TOKEN,
    HEROKU_API_URL: services.emulator.httpsUrl,
    HEROKUX_POSTGRES_API_URL: services.emulator.httpsUrl,
    SSL_CERT_FILE: services.emulator.caCertPath,
  };
}

/**
 * `<cli> apply|destroy|plan` in `dir` for this database, timed. Asynchronous on purpose: the emulator runs in this
 * process and must keep answering. The output goes to a 0600 log beside the state; a failure quotes its end.
 */
export async function terraform(
  tool: PeerTool,
  services: Services,
  dir: string,
  command: "apply" | "destroy" | "plan",
  database: string,
): Promise<{ ms: number; output: string; code: number }> {
  const args = [command, "-input=false", "-no-color", `-var=database=${database}`];
  if (command !== "plan") args.push("-auto-approve");
  else args.push("-detailed-exitcode");
  const started = performance.now();
  const { code, output } = await new Promise<{ code: number; output: string }>((resolve, reject) => {
    const child = spawn("bash", ["-c", 'umask 077 && exec "$0" "$@"', tool.cli, ...args], {
      cwd: dir,
      env: { ...process.env, ...peerEnv(services, dir) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let text = "";
    child.stdout.on("data", (c: Buffer) => (text += c.toString()));
    child.stderr.on("data", (c: Buffer) => (text += c.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ code: status ?? -1, output: text }));
  });
  const ms = performance.now() - started;
  fs.writeFileSync(path.join(dir, `${command}.log`), output, { mode: 0o600 });
  // plan -detailed-exitcode: 0 no changes, 2 changes; both are answers.
  if (code !== 0 && !(command === "plan" && code === 2))
    throw new Error(`${path.basename(tool.cli)} ${command} failed (exit ${code}):\n${output.slice(-4000)}`);
  return { ms, output, code };
}
