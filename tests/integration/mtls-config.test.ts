// MtlsConfig hooks against the emulator: enable with waiting (and the transient 500), named certificates added
// and revoked in place, refusals before anything is made, renewal seen by read, delete.
import * as hooks from "../../provider/mtls-config/hooks";
import type { MtlsConfigInputs, MtlsConfigOutputs } from "../../provider/mtls-config/types";
import { api, control, provisioned } from "../emulator/helpers";
import { psqlWith } from "../support/mtls-connect";
import { startServices, type Services } from "../support/services";

jest.setTimeout(240_000);
let s: Services;
let base: string;

beforeAll(async () => {
  s = await startServices();
  base = s.emulator.url;
  Object.assign(process.env, s.env);
  await control(base, "PUT", "/speed", {
    "addon-provision": "immediate",
    "enhanced-certificates": "immediate",
    mtls: { polls: 3 },
    certificate: { polls: 2 },
    "ip-rule": "immediate",
  });
});
afterAll(async () => s?.stop());

async function checked(raw: Record<string, unknown>): Promise<MtlsConfigInputs> {
  const { inputs, failures } = await hooks.check({}, raw);
  expect(failures).toEqual([]);
  return inputs;
}

async function privateDb(plan = "heroku-postgresql:private-0"): Promise<string> {
  return (await provisioned(base, "acme-api", { plan })).addon.name;
}

async function requests(): Promise<{ method: string; path: string; status: number }[]> {
  return control(base, "GET", "/requests");
}

test("create waits through Provisioning (and a transient 500) to Operational with one certificate per name", async () => {
  const db = await privateDb();
  await control(base, "DELETE", "/requests");
  await control(base, "PUT", "/mtls", { provisioningErrors: 1 });
  const { id, outs } = await hooks.create(await checked({ database: db, certificateNames: ["bi-tool", "ci-runner"] }));
  expect(id).toBe(db);
  expect(outs.status).toBe("Operational");
  expect(outs.enabledBy).toBe("platform@acme.example");
  expect(outs.certificateAuthorityChain).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
  expect(Object.keys(outs.certificates).sort()).toEqual(["bi-tool", "ci-runner"]);
  for (const cert of Object.values(outs.certificates)) {
    expect(cert.status).toBe("ready");
    expect(cert.privateKey).toMatch(/BEGIN RSA PRIVATE KEY/);
    expect(Buffer.from(cert.privateKeyPkcs8DerBase64, "base64")[0]).toBe(0x30);
    expect(Date.parse(cert.expiresAt!)).toBeGreaterThan(Date.now() + 390 * 86400e3);
  }
  const log = await requests();
  expect(log.filter((r) => r.method === "GET" && /tls-endpoint$/.test(r.path) && r.status === 500)).toHaveLength(1);
  expect(log.filter((r) => r.method === "POST" && /tls-endpoint$/.test(r.path))).toHaveLength(1);
  // Only the second name needed a POST: enabling made the first certificate.
  expect(log.filter((r) => r.method === "POST" && /certificates$/.test(r.path))).toHaveLength(1);

  // Update: add one, revoke one; the revoked certificate stops working, the kept one still works.
  await api(base, "POST", `/postgres/v0/databases/${db}/tls-endpoint/ip-rules`, {
    body: { cidr: "127.0.0.1/32", description: "local" },
  });
  const url = (await api<Record<string, string>>(base, "GET", "/apps/acme-api/config-vars")).json;
  const dbUrl = Object.values(url).find((u) => u.includes(`127.0.0.1:`))!;
  const files = (name: string) => ({
    certificateWithChain: outs.certificates[name]!.certificateWithChain,
    privateKey: outs.certificates[name]!.privateKey,
    rootChain: outs.certificateAuthorityChain,
  });
  expect(await psqlWith(dbUrl, files("ci-runner"))).toBe("connected");
  const news = await checked({ database: db, certificateNames: ["bi-tool", "analyst"] });
  expect((await hooks.diff(id, outs, news)).replaces).toEqual([]);
  const { outs: updated } = await hooks.update(id, outs, news);
  expect(Object.keys(updated.certificates).sort()).toEqual(["analyst", "bi-tool"]);
  expect(updated.certificates["bi-tool"]!.id).toBe(outs.certificates["bi-tool"]!.id);
  expect(await psqlWith(dbUrl, files("ci-runner"))).toMatch(/revoked/);
  expect(await psqlWith(dbUrl, files("bi-tool"))).toBe("connected");

  // Read after the clock moved into the renewal window shows the renewed certificates.
  await control(base, "POST", "/clock", { advanceSeconds: (396 - 70) * 86400 });
  const read = await hooks.read(id, updated);
  const renewed = read.props!.certificates["bi-tool"]!;
  expect(renewed.previousCertificateId).toBe(updated.certificates["bi-tool"]!.id);
  expect(Date.parse(renewed.expiresAt!)).toBeGreaterThan(Date.parse(updated.certificates["bi-tool"]!.expiresAt!));
  expect(read.inputs!.certificateNames.sort()).toEqual(["analyst", "bi-tool"]);

  // Disabling mTLS would remove the allowlist, which IpRules hold: refused while a rule is there.
  await expect(hooks.delete(id, read.props!)).rejects.toThrow(/still allows 127\.0\.0\.1\/32/);
  const rules = (await api<{ id: string }[]>(base, "GET", `/postgres/v0/databases/${db}/tls-endpoint/ip-rules`)).json;
  for (const r of rules) await api(base, "DELETE", `/postgres/v0/databases/${db}/tls-endpoint/ip-rules/${r.id}`);
  // The delete returns once Heroku is removing the endpoint; read counts that as gone, and deleting again is fine.
  await hooks.delete(id, read.props!);
  const removing = await api<{ status: string }>(base, "GET", `/postgres/v0/databases/${db}/tls-endpoint`);
  expect([removing.status, removing.json.status]).toEqual([200, "Deprovisioning"]);
  expect(await hooks.read(id, read.props!)).toEqual({});
  await hooks.delete(id, read.props!);

  // Enabling again right away (a replacement, or an up after a destroy) waits until the old endpoint is gone.
  await control(base, "DELETE", "/requests");
  const again = await hooks.create(await checked({ database: db, certificateNames: ["bi-tool"] }));
  expect(again.outs.status).toBe("Operational");
  const enables = (await requests()).filter((r) => r.method === "POST" && /tls-endpoint$/.test(r.path));
  expect(enables.map((r) => r.status)).toEqual([422, 201]);
  for (const r of (await api<{ id: string }[]>(base, "GET", `/postgres/v0/databases/${db}/tls-endpoint/ip-rules`)).json)
    await api(base, "DELETE", `/postgres/v0/databases/${db}/tls-endpoint/ip-rules/${r.id}`);
  await hooks.delete(id, again.outs);
});

test("waitForOperational: false returns with ready certificates while the endpoint provisions", async () => {
  const db = await privateDb();
  await control(base, "PUT", "/speed", { mtls: { ms: 60_000 }, certificate: { ms: 300 } });
  try {
    await control(base, "DELETE", "/requests");
    const { outs } = await hooks.create(
      await checked({ database: db, certificateNames: ["app", "ci"], waitForOperational: false }),
    );
    expect(outs.status).toBe("Provisioning");
    expect(Object.keys(outs.certificates).sort()).toEqual(["app", "ci"]);
    for (const cert of Object.values(outs.certificates)) {
      expect(cert.status).toBe("ready");
      expect(cert.privateKey).toMatch(/BEGIN RSA PRIVATE KEY/);
    }
    expect(outs.certificateAuthorityChain).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    // The first name took the certificate enabling made; only the second was posted.
    const log = await requests();
    expect(log.filter((r) => r.method === "POST" && /certificates$/.test(r.path))).toHaveLength(1);
    const live = await api<{ status: string }>(base, "GET", `/postgres/v0/databases/${db}/tls-endpoint`);
    expect(live.json.status).toBe("Provisioning");
  } finally {
    await control(base, "PUT", "/speed", { mtls: { polls: 3 }, certificate: { polls: 2 } });
  }
});

test("waitForOperational: false: a certificate refused while the endpoint provisions is posted again once it is Operational", async () => {
  const db = await privateDb();
  await control(base, "PUT", "/speed", { mtls: { ms: 3000 }, certificate: { ms: 300 } });
  try {
    // As if Heroku refused new certificates until the endpoint is Operational: the first post answers 422.
    await control(base, "POST", "/faults", { method: "POST", path: "/certificates$", status: 422, times: 1 });
    await control(base, "DELETE", "/requests");
    const { outs } = await hooks.create(
      await checked({ database: db, certificateNames: ["app", "ci"], waitForOperational: false }),
    );
    expect(Object.keys(outs.certificates).sort()).toEqual(["app", "ci"]);
    for (const cert of Object.values(outs.certificates)) expect(cert.status).toBe("ready");
    const log = await requests();
    const posts = log.filter((r) => r.method === "POST" && /certificates$/.test(r.path));
    expect(posts.map((r) => r.status)).toEqual([422, 201]);
    // The certificate is asked for again only after a read of the endpoint (the retry waits for Operational).
    const between = log.slice(log.indexOf(posts[0]!) + 1, log.indexOf(posts[1]!));
    expect(between.some((r) => r.method === "GET" && /tls-endpoint$/.test(r.path))).toBe(true);
    const live = await api<{ status: string }>(base, "GET", `/postgres/v0/databases/${db}/tls-endpoint`);
    expect(live.json.status).toBe("Operational");
    const listed = await api<{ status: string }[]>(
      base,
      "GET",
      `/postgres/v0/databases/${db}/tls-endpoint/certificates`,
    );
    expect(listed.json.map((c) => c.status)).toEqual(["ready", "ready"]);
  } finally {
    await control(base, "DELETE", "/faults");
    await control(base, "PUT", "/speed", { mtls: { polls: 3 }, certificate: { polls: 2 } });
  }
});

test("refusals before anything is made: plan, Enhanced Certificates, bad names", async () => {
  // Each refused by check (preview, the database exists) and again by create (a database unknown at preview).
  const refusedTwice = async (database: string, rule: RegExp): Promise<void> => {
    const checkedNow = await hooks.check({}, { database, certificateNames: ["a"] });
    expect(checkedNow.failures).toEqual([{ property: "", reason: expect.stringMatching(rule) }]);
    await expect(hooks.create(checkedNow.inputs)).rejects.toThrow(rule);
  };
  const std = await privateDb("heroku-postgresql:standard-0");
  await refusedTwice(std, /mTLS is only available on Private and Shield plans/);
  const ec = await privateDb();
  await api(base, "PUT", `/client/v11/enhanced_certificates/${ec}/enable`);
  await refusedTwice(ec, /Enhanced Certificates Enabled; mTLS and Enhanced Certificates cannot be used together/);
  expect((await api(base, "GET", `/postgres/v0/databases/${ec}/tls-endpoint`)).status).toBe(404);
  const { failures } = await hooks.check({}, { database: ec, certificateNames: ["ok", "bad name"] });
  expect(failures.map((f) => [f.property, f.reason.split(/[ :]/)[0]])).toEqual([["", "certificateNames[1]"]]);
});

test("read of a revoked-out-of-band certificate drops its name, so up recreates it", async () => {
  const db = await privateDb();
  const { id, outs } = await hooks.create(await checked({ database: db, certificateNames: ["one", "two"] }));
  await api(base, "DELETE", `/postgres/v0/databases/${db}/tls-endpoint/certificates/${outs.certificates.two!.id}`);
  const read = await hooks.read(id, outs);
  expect(read.inputs!.certificateNames).toEqual(["one"]);
  const diff = await hooks.diff(
    id,
    read.props as MtlsConfigOutputs,
    await checked({ database: db, certificateNames: ["one", "two"] }),
  );
  expect(diff.updates).toEqual(["certificateNames"]);
  await hooks.delete(id, outs);
});

test("an interrupted create is resumed (this account enabled it), and a timed-out update's certificate is reused", async () => {
  const db = await privateDb();
  // What a run killed while mTLS was provisioning leaves: the endpoint, enabled by this account, and no state.
  await api(base, "POST", `/postgres/v0/databases/${db}/tls-endpoint`);
  await control(base, "DELETE", "/requests");
  const { outs } = await hooks.create(
    await checked({ database: db, certificateNames: ["app"], resumeKey: "0123456789abcdef" }),
  );
  expect(outs.status).toBe("Operational");
  expect((await hooks.read(db, outs)).inputs?.resumeKey).toBe("0123456789abcdef");
  let log = await requests();
  expect(log.filter((r) => r.method === "POST" && /tls-endpoint$/.test(r.path)).map((r) => r.status)).toEqual([422]);
  // the certificate made by enabling became "app": none was posted
  expect(log.filter((r) => r.method === "POST" && /certificates$/.test(r.path))).toEqual([]);

  // An update adding a name times out while its certificate is pending; the next update takes that certificate.
  await control(base, "PUT", "/speed", { certificate: { polls: 1_000_000 } });
  const slow = await checked({ database: db, certificateNames: ["app", "etl"], timeouts: { update: "2s" } });
  await expect(hooks.update(db, outs, slow)).rejects.toThrow(/Timed out after \d+s waiting for client certificate etl/);
  await control(base, "PUT", "/speed", { certificate: "immediate" });
  await control(base, "DELETE", "/requests");
  const updated = await hooks.update(db, outs, await checked({ database: db, certificateNames: ["app", "etl"] }));
  expect(Object.keys(updated.outs.certificates).sort()).toEqual(["app", "etl"]);
  log = await requests();
  expect(log.filter((r) => r.method === "POST" && /certificates$/.test(r.path))).toEqual([]);
  const live = (
    await api<{ status: string }[]>(base, "GET", `/postgres/v0/databases/${db}/tls-endpoint/certificates`)
  ).json.filter((c) => c.status === "ready" || c.status === "pending");
  expect(live).toHaveLength(2);
  await hooks.delete(db, updated.outs);
});
