// Runs a Pulumi program of this repository through the Automation API with the real CLI, in a plain Node
// process (Jest's module sandbox breaks closure serialization). The Node.js language host cannot be built from
// the module proxy (see README "Toolchain"), so every program runs inline: the SDK hosts the language server in
// this process and the CLI does the rest. Prints one JSON line prefixed with RESULT: for callers to parse.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { LocalWorkspace, type EngineEvent, type Stack } from "@pulumi/pulumi/automation";

interface Options {
  command: string;
  program: string;
  project: string;
  stack: string;
  stateDir: string;
  config: Record<string, string>;
  secretConfig: Record<string, string>;
  expectNoChanges: boolean;
  showSecrets: boolean;
  quiet: boolean;
  /** URNs to replace (`pulumi up --replace URN`), and to limit the run to (`--target URN`). */
  replace: string[];
  target: string[];
  /** Remove config keys this run does not set (a stack's config otherwise persists between runs). */
  resetConfig: boolean;
  /** `--policy-pack` folders and `--policy-pack-config` files for preview and up. */
  policyPacks: string[];
  policyPackConfigs: string[];
  /** Where a preview writes what `pulumi preview --json` prints. */
  jsonOut: string;
  /** A Pulumi.<stack>.yaml to use as the stack's settings (an example's per-environment config). */
  stackSettings: string;
}

const repoRoot = path.resolve(__dirname, "..", "..");

/** `key=value` pairs of a repeated flag, as a record. */
function pairs(flag: string, raw: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of raw ?? []) {
    const eq = item.indexOf("=");
    if (eq < 1) throw new Error(`--${flag} takes key=value, got ${item}`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

function parseOptions(argv: string[]): Options {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      program: { type: "string" },
      project: { type: "string" },
      stack: { type: "string", default: "dev" },
      state: { type: "string", default: path.join(repoRoot, ".run", "state") },
      config: { type: "string", multiple: true },
      "secret-config": { type: "string", multiple: true },
      "expect-no-changes": { type: "boolean", default: false },
      "show-secrets": { type: "boolean", default: false },
      quiet: { type: "boolean", default: false },
      "reset-config": { type: "boolean", default: false },
      replace: { type: "string", multiple: true, default: [] },
      target: { type: "string", multiple: true, default: [] },
      "policy-pack": { type: "string", multiple: true, default: [] },
      "policy-pack-config": { type: "string", multiple: true, default: [] },
      "json-out": { type: "string" },
      "stack-settings": { type: "string" },
    },
  });
  const resolved = (p: string | undefined): string => (p ? path.resolve(p) : "");
  const opts: Options = {
    command: positionals[0] ?? "",
    program: resolved(values.program),
    project: values.project ?? "",
    stack: values.stack,
    stateDir: path.resolve(values.state),
    config: pairs("config", values.config),
    secretConfig: pairs("secret-config", values["secret-config"]),
    expectNoChanges: values["expect-no-changes"],
    showSecrets: values["show-secrets"],
    quiet: values.quiet,
    replace: values.replace,
    target: values.target,
    resetConfig: values["reset-config"],
    policyPacks: values["policy-pack"].map((p) => path.resolve(p)),
    policyPackConfigs: values["policy-pack-config"].map((p) => path.resolve(p)),
    jsonOut: resolved(values["json-out"]),
    stackSettings: resolved(values["stack-settings"]),
  };
  if (positionals.length > 1) throw new Error(`one command, got ${positionals.join(" ")}`);
  if (!opts.program || !opts.project) throw new Error("--program and --project are required");
  return opts;
}

// Programs run from a fixture project that installs the packed package (scripts/pack-fixture.sh), exactly as a
// user's project would: the provider modules are then stored in state as a `require` of the installed package
// (a few hundred bytes) instead of being serialized by value.
const fixtureDir = path.join(repoRoot, ".run", "pkg");

/** Copies the compiled program into the fixture, so that `heroku-pg-secure` resolves to the installed package. */
function stageProgram(opts: Options): string {
  if (!fs.existsSync(path.join(fixtureDir, "node_modules", "heroku-pg-secure", "package.json"))) {
    throw new Error(`no packed package in ${fixtureDir}: run scripts/pack-fixture.sh first`);
  }
  const target = path.join(fixtureDir, "programs", opts.project);
  fs.mkdirSync(target, { recursive: true });
  const staged = path.join(target, "index.js");
  fs.copyFileSync(opts.program, staged);
  return staged;
}

/** The folder the CLI runs in: the dynamic-provider host resolves `@pulumi/pulumi` and this package from it. */
function prepareWorkDir(opts: Options): string {
  const id = createHash("sha1").update(opts.stateDir).digest("hex").slice(0, 10);
  const workDir = path.join(fixtureDir, "work", `${opts.project}-${id}`);
  fs.mkdirSync(workDir, { recursive: true });
  return workDir;
}

interface ResourceEvent {
  urn: string;
  type: string;
  op: string;
  keys?: string[];
  diffs?: string[];
}

function backendUrl(opts: Options): string {
  return `file://${path.join(opts.stateDir, "backend")}`;
}

async function openStack(opts: Options): Promise<Stack> {
  fs.mkdirSync(path.join(opts.stateDir, "backend"), { recursive: true });
  const workDir = prepareWorkDir(opts);
  // The workspace reads a stack's config from Pulumi.<stack>.yaml in its folder, as `pulumi` does in a project.
  if (opts.stackSettings) fs.copyFileSync(opts.stackSettings, path.join(workDir, `Pulumi.${opts.stack}.yaml`));
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program path is only known at run time
  const loaded = require(stageProgram(opts)) as unknown;
  const program = (typeof loaded === "function" ? loaded : (loaded as { default?: unknown }).default) as
    (() => Promise<Record<string, unknown> | void>) | undefined;
  if (typeof program !== "function") throw new Error(`${opts.program} does not export a program function`);
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: opts.stack, projectName: opts.project, program },
    {
      workDir,
      projectSettings: { name: opts.project, runtime: "nodejs", backend: { url: backendUrl(opts) } },
      envVars: { PULUMI_BACKEND_URL: backendUrl(opts) },
    },
  );
  if (opts.resetConfig) {
    const given = new Set([...Object.keys(opts.config), ...Object.keys(opts.secretConfig)]);
    const stale = Object.keys(await stack.getAllConfig()).filter((k) => !given.has(k.replace(`${opts.project}:`, "")));
    if (stale.length > 0) await stack.removeAllConfig(stale);
  }
  for (const [key, value] of Object.entries(opts.config)) await stack.setConfig(key, { value });
  for (const [key, value] of Object.entries(opts.secretConfig)) await stack.setConfig(key, { value, secret: true });
  return stack;
}

function targeting(opts: Options): {
  replace?: string[];
  target?: string[];
  policyPacks?: string[];
  policyPackConfigs?: string[];
} {
  return {
    ...(opts.replace.length > 0 ? { replace: opts.replace } : {}),
    ...(opts.target.length > 0 ? { target: opts.target } : {}),
    ...(opts.policyPacks.length > 0 ? { policyPacks: opts.policyPacks } : {}),
    ...(opts.policyPackConfigs.length > 0 ? { policyPackConfigs: opts.policyPackConfigs } : {}),
  };
}

type PulumiCmd = (args: string[], ...rest: unknown[]) => Promise<{ stdout: string }>;

/**
 * Makes the stack's next CLI command a `pulumi preview --json` and writes what it prints to `file`. The
 * Automation API has no option for --json, but its commands all go through Stack.runPulumiCmd, and the CLI's
 * --json output is independent of the event log the API reads. `--diff` is dropped: the two are display modes.
 */
function captureJson(stack: Stack, file: string): void {
  const target = stack as unknown as { runPulumiCmd: PulumiCmd };
  const run = target.runPulumiCmd.bind(stack) as PulumiCmd;
  target.runPulumiCmd = async (args, ...rest) => {
    const result = await run([...args.filter((a) => a !== "--diff"), "--json"], ...rest).catch((err: unknown) => {
      // A failed preview (a mandatory policy) still prints its JSON digest first.
      const stdout = (err as { commandResult?: { stdout?: unknown } }).commandResult?.stdout;
      if (typeof stdout === "string") fs.writeFileSync(file, stdout);
      throw err;
    });
    fs.writeFileSync(file, result.stdout);
    return result;
  };
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const stack = await openStack(opts);
  const events: ResourceEvent[] = [];
  const onEvent = (e: EngineEvent): void => {
    const meta = e.resourcePreEvent?.metadata ?? e.resOutputsEvent?.metadata;
    if (!meta || meta.type === "pulumi:pulumi:Stack") return;
    if (e.resourcePreEvent)
      events.push({ urn: meta.urn, type: meta.type, op: meta.op, keys: meta.keys, diffs: meta.diffs });
  };
  const onOutput = opts.quiet ? undefined : (line: string) => process.stderr.write(line);
  let result: Record<string, unknown>;
  switch (opts.command) {
    case "up": {
      const r = await stack.up({ onOutput, onEvent, diff: true, ...targeting(opts) });
      const outputs = Object.fromEntries(
        Object.entries(r.outputs).map(([k, v]) => [k, v.secret && !opts.showSecrets ? "[secret]" : v.value]),
      );
      result = { summary: r.summary.resourceChanges, outputs };
      break;
    }
    case "preview": {
      if (opts.jsonOut) captureJson(stack, opts.jsonOut);
      const r = await stack.preview({
        onOutput,
        onEvent,
        diff: true,
        expectNoChanges: opts.expectNoChanges,
        ...targeting(opts),
      });
      result = { changeSummary: r.changeSummary };
      break;
    }
    case "refresh": {
      const r = await stack.refresh({ onOutput, onEvent, expectNoChanges: opts.expectNoChanges });
      result = { summary: r.summary.resourceChanges };
      break;
    }
    case "destroy": {
      const r = await stack.destroy({ onOutput, onEvent });
      result = { summary: r.summary.resourceChanges };
      break;
    }
    case "cancel": {
      // After a run was killed its lock stays behind; on a DIY backend `pulumi cancel` removes it.
      await stack.cancel();
      result = {};
      break;
    }
    case "export": {
      // Stack.exportStack() passes --show-secrets; this is what `pulumi stack export` really writes.
      const stdout = execFileSync("pulumi", ["stack", "export", "--stack", opts.stack], {
        cwd: stack.workspace.workDir,
        env: { ...process.env, PULUMI_BACKEND_URL: backendUrl(opts) },
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      });
      result = { deployment: JSON.parse(stdout) as unknown };
      break;
    }
    case "outputs": {
      const out = await stack.outputs();
      result = {
        outputs: Object.fromEntries(
          Object.entries(out).map(([k, v]) => [k, v.secret && !opts.showSecrets ? "[secret]" : v.value]),
        ),
      };
      break;
    }
    default:
      throw new Error(`unknown command ${opts.command}: use up, preview, refresh, destroy, cancel, export or outputs`);
  }
  process.stdout.write(`RESULT:${JSON.stringify({ ...result, events })}\n`);
}

main().catch((err: unknown) => {
  process.stdout.write(`RESULT:${JSON.stringify({ error: err instanceof Error ? err.message : String(err) })}\n`);
  process.exitCode = 1;
});
