import * as hooks from "../../provider/secure-database/hooks";
import type { SecureDatabaseInputs } from "../../provider/secure-database/types";
import { MAX_CREATE_ATTEMPTS } from "../../provider/shared/resume";
import { ACME_SHIELD_APP, ACME_PRIVATE_APP, startServices, type Services } from "../support/services";
import { control as emulatorControl } from "../emulator/helpers";

jest.setTimeout(180_000);

let services: Services;

beforeAll(async () => {
  services = await startServices();
  Object.assign(process.env, services.env);
});
afterAll(async () => {
  await services?.stop();
});
beforeEach(async () => {
  await control("POST", "/reset");
  await control("PUT", "/speed", {
    "addon-provision": { ms: 300 },
    "addon-deprovision": "immediate",
    "enhanced-certificates": { polls: 2 },
  });
});

const control = (method: string, path: string, body?: unknown): Promise<unknown> =>
  emulatorControl(services.emulator.url, method, path, body);

async function requests(method: string, pathPart: string): Promise<{ method: string; path: string; status: number }[]> {
  const all = (await control("GET", "/requests")) as { method: string; path: string; status: number }[];
  return all.filter((r) => r.method === method && r.path.includes(pathPart));
}

async function addonCount(app: string): Promise<number> {
  const res = await fetch(`${services.emulator.url}/apps/${app}/addons`, {
    headers: {
      Accept: "application/vnd.heroku+json; version=3",
      Authorization: `Bearer ${services.env.HEROKU_API_KEY}`,
    },
  });
  return ((await res.json()) as unknown[]).length;
}

async function checked(raw: Record<string, unknown>): Promise<SecureDatabaseInputs> {
  const { inputs, failures } = await hooks.check({}, raw);
  expect(failures).toEqual([]);
  return inputs;
}

describe("SecureDatabase under faults and slowness", () => {
  it("retries a create refused with 429 and Retry-After, making exactly one add-on", async () => {
    await control("POST", "/faults", {
      method: "POST",
      path: "^/apps/[^/]+/addons$",
      status: 429,
      retryAfter: 1,
      times: 1,
    });
    const { outs } = await hooks.create(await checked({ app: ACME_PRIVATE_APP, plan: "heroku-postgresql:private-0" }));
    expect(outs.state).toBe("provisioned");
    expect((await requests("POST", "/addons")).map((r) => r.status)).toEqual([429, 201]);
    expect(await addonCount(ACME_PRIVATE_APP)).toBe(1);
  });

  it("repeats a create whose connection dropped only after reading back and finding nothing", async () => {
    await control("POST", "/faults", { method: "POST", path: "^/apps/[^/]+/addons$", drop: true, times: 1 });
    const { outs } = await hooks.create(
      await checked({ app: ACME_PRIVATE_APP, plan: "heroku-postgresql:private-0", name: "orders-db" }),
    );
    expect(outs.addonName).toBe("orders-db");
    expect((await requests("POST", "/addons")).map((r) => r.status)).toEqual([0, 201]);
    // the read-back by name came between the two POSTs
    const log = (await control("GET", "/requests")) as { method: string; path: string }[];
    const firstPost = log.findIndex((r) => r.method === "POST" && r.path.endsWith("/addons"));
    const readBack = log.findIndex((r, i) => i > firstPost && r.method === "GET" && r.path.endsWith("/orders-db"));
    const secondPost = log.findIndex((r, i) => i > firstPost && r.method === "POST" && r.path.endsWith("/addons"));
    expect(readBack).toBeGreaterThan(firstPost);
    expect(secondPost).toBeGreaterThan(readBack);
    expect(await addonCount(ACME_PRIVATE_APP)).toBe(1);
  });

  it("gives up after MAX_CREATE_ATTEMPTS ambiguous failures, saying nothing was made and what to do", async () => {
    await control("POST", "/faults", { method: "POST", path: "^/apps/[^/]+/addons$", status: 502, times: 100 });
    const err = (await hooks
      .create(
        await checked({ app: ACME_PRIVATE_APP, plan: "heroku-postgresql:private-0", resumeKey: "0123456789abcdef" }),
      )
      .catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(
      new RegExp(
        `it is unknown whether it took effect\\. All ${MAX_CREATE_ATTEMPTS} attempts to create the heroku-postgresql:private-0 add-on on app acme-api failed that way and reading back after each found nothing, so none was made; wait for Heroku to recover \\(https://status\\.heroku\\.com\\) and run pulumi up again$`,
      ),
    );
    expect((await requests("POST", "/addons")).length).toBe(MAX_CREATE_ATTEMPTS);
    expect(await addonCount(ACME_PRIVATE_APP)).toBe(0);
  });

  it("retries transient 5xx on reads while waiting", async () => {
    await control("POST", "/faults", { method: "GET", path: "^/apps/[^/]+/addons/", status: 503, times: 2 });
    const { outs } = await hooks.create(await checked({ app: ACME_PRIVATE_APP, plan: "heroku-postgresql:private-0" }));
    expect(outs.state).toBe("provisioned");
  });

  it("times out with the add-on, its status and the wait, keeps it, and lets it be adopted", async () => {
    await control("PUT", "/speed", { "addon-provision": { ms: 60_000 } });
    const inputs = await checked({
      app: ACME_PRIVATE_APP,
      plan: "heroku-postgresql:private-0",
      timeouts: { create: "2s" },
    });
    const err = (await hooks.create(inputs).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(
      /Timed out after \d+s waiting for add-on \S+ on app acme-api to become provisioned: it is still "provisioning"\. It was not deleted: run pulumi up again soon and it is resumed \(raise timeouts\.create if Heroku is slow\), or set adoptAddonId: "[0-9a-f-]+" to take it over/,
    );
    const addonId = /adoptAddonId: "([0-9a-f-]+)"/.exec(err.message)?.[1] ?? "";
    await control("PUT", "/speed", { "addon-provision": "immediate" });
    const { id } = await hooks.create(await checked({ ...inputs, adoptAddonId: addonId, timeouts: undefined }));
    expect(id).toBe(addonId);
    expect(await addonCount(ACME_PRIVATE_APP)).toBe(1);
  });

  it("resumes the add-on an interrupted create left (same resume key), and never resumes a declared name", async () => {
    await control("PUT", "/speed", { "addon-provision": { ms: 60_000 } });
    const inputs = await checked({
      app: ACME_PRIVATE_APP,
      plan: "heroku-postgresql:private-0",
      resumeKey: "feedfacecafebeef",
      timeouts: { create: "2s" },
    });
    const err = (await hooks.create(inputs).catch((e: unknown) => e)) as Error;
    const addonId = /adoptAddonId: "([0-9a-f-]+)"/.exec(err.message)?.[1] ?? "";
    expect(addonId).not.toBe("");
    await control("PUT", "/speed", { "addon-provision": "immediate" });
    const { id, outs } = await hooks.create(await checked({ ...inputs, timeouts: undefined }));
    expect(id).toBe(addonId);
    expect(outs.addonName).toMatch(/^postgresql-[0-9a-f]{12}$/);
    // The key stays in state through create and read (refresh would otherwise show it removed every time).
    expect(outs.resumeKey).toBe("feedfacecafebeef");
    expect((await hooks.read(id, outs)).inputs?.resumeKey).toBe("feedfacecafebeef");
    expect((await requests("POST", "/addons")).filter((r) => r.status === 201)).toHaveLength(1);
    expect(await addonCount(ACME_PRIVATE_APP)).toBe(1);

    // Another resource (another key) on the same app and plan gets its own add-on.
    const other = await hooks.create(await checked({ ...inputs, resumeKey: "0000000000000001", timeouts: undefined }));
    expect(other.id).not.toBe(addonId);
    // A declared name that is taken is not resumed: the error says how to adopt it.
    const named = (await hooks
      .create(await checked({ ...inputs, name: outs.addonName, timeouts: undefined }))
      .catch((e: unknown) => e)) as Error;
    expect(named.message).toMatch(
      new RegExp(`the add-on name ${outs.addonName} is taken .*set adoptAddonId: "${outs.addonName}"`),
    );
    expect(await addonCount(ACME_PRIVATE_APP)).toBe(2);
  });

  it("creates a Shield database with Enhanced Certificates on from the start", async () => {
    const { outs } = await hooks.create(
      await checked({
        app: ACME_SHIELD_APP,
        plan: "heroku-postgresql:shield-0",
        enhancedCertificates: true,
        name: "vault-db",
        attachmentName: "VAULT_DB",
      }),
    );
    expect(outs).toMatchObject({
      addonName: "vault-db",
      configVarName: "VAULT_DB_URL",
      enhancedCertificatesStatus: "Enabled",
      region: "oregon",
    });
    expect(outs.connectionUrl).toContain("sslmode=verify-full");
    expect((await requests("PUT", "/enhanced_certificates/")).length).toBe(0);
  });

  it("refuses a private plan in a Shield Space before creating anything", async () => {
    const rule =
      "plan heroku-postgresql:private-0 cannot run in Shield Space acme-shield (app acme-vault); use a shield-* plan";
    // At preview (check), and again at create, before anything is made.
    const checkedNow = await hooks.check({}, { app: ACME_SHIELD_APP, plan: "heroku-postgresql:private-0" });
    expect(checkedNow.failures).toEqual([{ property: "", reason: rule }]);
    await expect(hooks.create(checkedNow.inputs)).rejects.toThrow(rule);
    expect(await requests("POST", "/addons")).toEqual([]);
  });
});
