// The demo stack (index.ts: one SecurePostgres with a key, mTLS, two CIDRs, two certificates and two
// credentials) through the real Pulumi CLI: up, a preview with no change and no call at all, refresh,
// protection against destroy, destroy, and an export that holds no secret.
import { DescribeKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { type Services } from "../support/services";
import { runStack, type StackOptions } from "../support/pulumi";
import { allRoles } from "./database-state";
import { controlJson, herokuJson, requestLog } from "./emulator-client";
import { stackOptions, PROGRAMS, setUpE2e, tearDownE2e } from "./fixture";

jest.setTimeout(15 * 60_000);

let services: Services;
let workDir: string;

function options(extra: Partial<StackOptions> = {}): StackOptions {
  return stackOptions(PROGRAMS.demo, { workDir, env: services.env }, "e2e", {
    ...extra,
  });
}

const roles = (): Promise<string[]> => allRoles(services);

beforeAll(async () => ({ services, workDir } = await setUpE2e("secure-postgres")));
afterAll(() => tearDownE2e(services, workDir));

describe("SecurePostgres (the demo stack)", () => {
  let outputs: Record<string, unknown> = {};
  /** Every secret the stack handles, taken from the emulator itself, and everything the CLI printed. */
  const secrets: string[] = [];
  const logs: string[] = [];
  const run = async (command: string, extra: Partial<StackOptions> = {}): ReturnType<typeof runStack> => {
    const r = await runStack(command, options(extra));
    logs.push(r.log, r.error ?? "");
    return r;
  };

  test("up makes the key, the database, mTLS, an allowlist of two blocks and two credentials", async () => {
    const r = await run("up", { showSecrets: true });
    expect(r.error).toBeUndefined();
    // the stack, the component, key, database, mTLS, the allowlist (2 blocks), 2 credentials
    expect(r.summary?.create).toBe(8);
    outputs = r.outputs ?? {};
    expect(outputs.mtlsStatus).toBe("Operational");
    expect(outputs.allowedCidrs).toEqual(["127.0.0.1/32", "198.51.100.0/24"]);
    expect(outputs.clientCertificates).toEqual(["bi-tool", "ci-runner"]);
    const rules = await herokuJson<{ cidr: string; status: string }[]>(
      services,
      "GET",
      `/postgres/v0/databases/${String(outputs.addonName)}/tls-endpoint/ip-rules`,
    );
    expect(rules.map((x) => [x.cidr, x.status]).sort()).toEqual([
      ["127.0.0.1/32", "Authorized"],
      ["198.51.100.0/24", "Authorized"],
    ]);
    expect(await roles()).toEqual(expect.arrayContaining(["analyst", "reporting"]));
    const db = String(outputs.addonName);
    const vars = await herokuJson<Record<string, string>>(services, "GET", "/apps/acme-api/config-vars");
    secrets.push(new URL(vars.DATABASE_URL ?? "").password, services.env.HEROKU_API_KEY ?? "");
    for (const name of ["analystUrl", "reportingUrl"]) secrets.push(new URL(String(outputs[name])).password);
    const certs = await herokuJson<{ id: string }[]>(
      services,
      "GET",
      `/postgres/v0/databases/${db}/tls-endpoint/certificates`,
    );
    for (const c of certs) {
      const full = await herokuJson<{ private_key?: string }>(
        services,
        "GET",
        `/postgres/v0/databases/${db}/tls-endpoint/certificates/${c.id}`,
      );
      // A line of the key's base64 body: found whatever else a printer did to the PEM.
      secrets.push((full.private_key ?? "").split("\n").filter((l) => l && !l.startsWith("-----"))[1] ?? "");
    }
    expect(secrets).toHaveLength(4 + 2);
    expect(secrets.every((x) => x.length >= 16)).toBe(true);
  });

  test("a preview right after up shows no change and calls no API at all", async () => {
    await controlJson(services, "DELETE", "/requests");
    const r = await run("preview", { expectNoChanges: true });
    expect(r.error).toBeUndefined();
    // Not even the read-only checks: a deployed resource's facts were checked when it was made.
    expect(await requestLog(services)).toEqual([]);
  });

  test("refresh succeeds and leaves nothing to change", async () => {
    const refresh = await run("refresh");
    expect(refresh.error).toBeUndefined();
    // Nothing changed at Heroku, so refresh must not rewrite any resource's state (a field that read() drops
    // would show here as an update on every refresh).
    expect(refresh.summary?.update ?? 0).toBe(0);
    const preview = await run("preview", { expectNoChanges: true });
    expect(preview.error).toBeUndefined();
  });

  test("the export holds neither a password nor a private key in plain text", async () => {
    const text = JSON.stringify((await run("export")).deployment);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toContain("PRIVATE KEY");
  });

  test("destroy is refused while the database and key are protected, and deletes nothing", async () => {
    const r = await run("destroy");
    expect(r.error).toMatch(/protect/);
    const addons = await herokuJson<{ name: string }[]>(services, "GET", "/apps/acme-api/addons");
    expect(addons.map((a) => a.name)).toContain(outputs.addonName);
  });

  test("with protection lifted, destroy leaves no add-on, no role, and the key pending deletion", async () => {
    const unprotect = await run("up", { config: { protect: "false" } });
    expect(unprotect.error).toBeUndefined();
    const r = await run("destroy");
    expect(r.error).toBeUndefined();
    const addons = await herokuJson<{ name: string }[]>(services, "GET", "/apps/acme-api/addons");
    expect(addons.map((a) => a.name)).not.toContain(outputs.addonName);
    expect(await roles()).not.toEqual(expect.arrayContaining(["analyst"]));
    expect(await roles()).not.toEqual(expect.arrayContaining(["reporting"]));
    const attachments = await herokuJson<{ name: string }[]>(services, "GET", "/apps/acme-reports/addon-attachments");
    expect(attachments).toEqual([]);
    const kms = new KMSClient({
      region: "us-east-1",
      endpoint: services.env.AWS_ENDPOINT_URL_KMS,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    const keyId = String(outputs.keyArn).split("/").pop();
    expect((await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState).toBe("PendingDeletion");
  });

  test("no password, private key or API token reached the CLI's output or an error", () => {
    const printed = logs.join("\n");
    expect(printed.length).toBeGreaterThan(1000);
    for (const secret of secrets) expect(printed).not.toContain(secret);
  });
});
