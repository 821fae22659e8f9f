// examples/mtls-external-access through the real Pulumi CLI: psql with the certificate files and
// sslmode=verify-ca connects only with a certificate and from an allowlisted address; removing a certificate
// name cuts that certificate off; no perpetual diff; destroy removes the endpoint; no plaintext key in the export.
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { psqlWith } from "../support/mtls-connect";
import { startServices, type Services } from "../support/services";
import { runStack, type StackOptions } from "../support/pulumi";
import { controlJson, herokuJson, mutatingRequests } from "./emulator-client";
import { stackOptions, PROGRAMS } from "./fixture";

jest.setTimeout(10 * 60_000);

let services: Services;
let workDir: string;
let certDir: string;

const OFFICE = "203.0.113.0/24:office";
const LOCAL = "127.0.0.1/32:local";

function options(config: Record<string, string>, extra: Partial<StackOptions> = {}): StackOptions {
  return stackOptions(PROGRAMS.mtlsExternalAccess, { workDir, env: services.env }, "main", {
    config: { certDir, ...config },
    ...extra,
  });
}

interface Files {
  certificateWithChain: string;
  privateKey: string;
  rootChain: string;
}

function filesOf(name: string): Files {
  const read = (suffix: string): string => fs.readFileSync(path.join(certDir, `${name}_${suffix}`), "utf8");
  return {
    certificateWithChain: read("postgresql.crt"),
    privateKey: read("postgresql.key"),
    rootChain: read("root.crt"),
  };
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "hps-e2e-mtls-"));
  certDir = path.join(workDir, "certs");
  services = await startServices();
  await controlJson(services, "PUT", "/speed", {
    "addon-provision": { ms: 300 },
    "addon-deprovision": { ms: 300 },
    mtls: { ms: 500 },
    certificate: { ms: 300 },
    "ip-rule": { ms: 300 },
  });
});

afterAll(async () => {
  await services?.stop();
  fs.rmSync(workDir, { recursive: true, force: true });
});

describe("mtls-external-access example", () => {
  let connectionUrl = "";
  let addonName = "";

  test("with only a non-loopback CIDR, psql with the certificate from 127.0.0.1 is refused", async () => {
    const r = await runStack("up", options({ cidrs: OFFICE }, { showSecrets: true }));
    expect(r.error).toBeUndefined();
    addonName = String(r.outputs?.addonName);
    // Seed 000: export DATABASE_URL=`heroku config:get DATABASE_CONFIG_VAR -a APP_NAME`.
    const vars = await herokuJson<Record<string, string>>(services, "GET", "/apps/acme-api/config-vars");
    connectionUrl = vars[String(r.outputs?.configVarName)]!;
    expect(r.outputs?.mtlsStatus).toBe("Operational");
    expect(fs.statSync(path.join(certDir, "bi-tool_postgresql.key")).mode & 0o777).toBe(0o600);
    expect(await psqlWith(connectionUrl, filesOf("bi-tool"))).toMatch(/from 127\.0\.0\.1 are not allowed/);
  });

  test("adding 127.0.0.1/32 lets the certificate in with sslmode=verify-ca; without it psql is refused", async () => {
    const r = await runStack("up", options({ cidrs: `${OFFICE},${LOCAL}` }));
    expect(r.error).toBeUndefined();
    expect(r.summary?.create).toBe(1);
    expect(await psqlWith(connectionUrl, filesOf("bi-tool"))).toBe("connected");
    expect(await psqlWith(connectionUrl, filesOf("ci-runner"))).toBe("connected");
    expect(await psqlWith(connectionUrl, { rootChain: filesOf("bi-tool").rootChain })).toMatch(
      /need a client certificate/,
    );
  });

  test("preview and up after up show no changes and call no mutating API", async () => {
    await controlJson(services, "DELETE", "/requests");
    const preview = await runStack("preview", options({ cidrs: `${OFFICE},${LOCAL}` }, { expectNoChanges: true }));
    expect(preview.error).toBeUndefined();
    const up = await runStack("up", options({ cidrs: `${OFFICE},${LOCAL}` }, { expectNoChanges: true }));
    expect(up.error).toBeUndefined();
    expect(await mutatingRequests(services)).toEqual([]);
  });

  test("removing a certificate name makes that certificate fail while the other still works", async () => {
    const ciRunner = filesOf("ci-runner");
    const r = await runStack("up", options({ cidrs: `${OFFICE},${LOCAL}`, certificateNames: "bi-tool" }));
    expect(r.error).toBeUndefined();
    expect(r.summary?.update).toBe(1);
    expect(await psqlWith(connectionUrl, ciRunner)).toMatch(/has been revoked/);
    expect(await psqlWith(connectionUrl, filesOf("bi-tool"))).toBe("connected");
  });

  test("the stack export holds no plaintext private key", async () => {
    const exported = await runStack("export", options({}));
    const text = JSON.stringify(exported.deployment);
    expect(text).not.toContain("PRIVATE KEY");
    const key = filesOf("bi-tool").privateKey.split("\n")[1]!;
    expect(text).not.toContain(key);
    expect(text).toContain("ciphertext");
  });

  test("destroy removes the endpoint", async () => {
    const port = Number(new URL(connectionUrl).port);
    expect(await portOpen(port)).toBe(true);
    const r = await runStack("destroy", options({ cidrs: `${OFFICE},${LOCAL}`, certificateNames: "bi-tool" }));
    expect(r.error).toBeUndefined();
    const addons = await herokuJson<{ name: string }[]>(services, "GET", "/apps/acme-api/addons");
    expect(addons.map((a) => a.name)).not.toContain(addonName);
    for (let i = 0; i < 20 && (await portOpen(port)); i++) await new Promise((r2) => setTimeout(r2, 250));
    expect(await portOpen(port)).toBe(false);
  });
});
