// mTLS on the emulator: the Data API routes and status machines, and real enforcement at the database's TLS
// front door (client certificate, revocation, IP rules, direct port closed, access restored on destroy).
import { startServices, type Services } from "../support/services";
import { psqlWith } from "../support/mtls-connect";
import { api, control, libpq, pollUntil, provisioned, whoAmI } from "./helpers";

jest.setTimeout(180_000);
let s: Services;
let base: string;

beforeAll(async () => {
  s = await startServices();
  base = s.emulator.url;
  await control(base, "PUT", "/speed", {
    "addon-provision": "immediate",
    "enhanced-certificates": "immediate",
    mtls: { polls: 2 },
    certificate: { polls: 2 },
    "ip-rule": { polls: 2 },
  });
});
afterAll(async () => s?.stop());

interface Mtls {
  status: string;
  addon: string;
  app: string;
  enabled_by: string;
  certificate_authority_chain: string;
  active_ip_rules: unknown[];
}
interface Cert {
  id: string;
  status: string;
  created_at: string;
  expires_at: string | null;
  private_key?: string | null;
  certificate_with_chain?: string | null;
}
interface Rule {
  id: string;
  cidr: string;
  status: string;
  created_at: string;
}

const tls = (db: string): string => `/postgres/v0/databases/${db}/tls-endpoint`;
const HEROKU_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+0000$/;

async function operational(db: string): Promise<Mtls> {
  const created = await api<Mtls>(base, "POST", tls(db));
  expect(created.status).toBe(201);
  return pollUntil(
    async () => (await api<Mtls>(base, "GET", tls(db))).json,
    (m) => m.status === "Operational",
  );
}

async function readyCert(db: string, id: string): Promise<Cert> {
  return pollUntil(
    async () => (await api<Cert>(base, "GET", `${tls(db)}/certificates/${id}`)).json,
    (c) => c.status === "ready",
  );
}

async function authorizedRule(db: string, cidr: string, description = "test"): Promise<Rule> {
  const created = await api<Rule>(base, "POST", `${tls(db)}/ip-rules`, { body: { cidr, description } });
  expect(created.status).toBe(201);
  expect(created.json.status).toBe("Authorizing");
  return pollUntil(
    async () => (await api<Rule>(base, "GET", `${tls(db)}/ip-rules/${created.json.id}`)).json,
    (r) => r.status === "Authorized",
  );
}

async function privateDb(): Promise<{ name: string; id: string; url: () => Promise<string> }> {
  const { addon } = await provisioned(base, "acme-api", { plan: "heroku-postgresql:private-0" });
  const url = async (): Promise<string> => {
    const atts = (await api<{ name: string; addon: { id: string } }[]>(base, "GET", "/apps/acme-api/addon-attachments"))
      .json;
    const att = atts.find((a) => a.addon.id === addon.id)!;
    return (await api<Record<string, string>>(base, "GET", "/apps/acme-api/config-vars")).json[`${att.name}_URL`]!;
  };
  return { name: addon.name, id: addon.id, url };
}

describe("mTLS routes and status machines", () => {
  test("enable: Provisioning -> Operational, one client certificate pending -> ready; key only by id", async () => {
    const db = await privateDb();
    const created = await api<Mtls>(base, "POST", tls(db.id));
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ status: "Provisioning", addon: db.name, app: "acme-api" });
    expect(created.json.enabled_by).toBe("platform@acme.example");
    expect(created.json.certificate_authority_chain).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const m = await pollUntil(
      async () => (await api<Mtls>(base, "GET", tls(db.name))).json,
      (x) => x.status === "Operational",
    );
    expect(m.active_ip_rules).toEqual([]);

    const list = (await api<Cert[]>(base, "GET", `${tls(db.name)}/certificates`)).json;
    expect(list).toHaveLength(1);
    expect(list[0]).not.toHaveProperty("private_key");
    expect(list[0]).not.toHaveProperty("certificate_with_chain");
    expect(list[0]!.created_at).toMatch(HEROKU_TIME);
    const cert = await readyCert(db.name, list[0]!.id);
    expect(cert.private_key).toMatch(/BEGIN RSA PRIVATE KEY/);
    expect(cert.certificate_with_chain!.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    const months =
      (Date.parse(cert.expires_at!.replace(" +0000", "Z").replace(" ", "T")) - Date.now()) / (30.4 * 86400e3);
    expect(months).toBeGreaterThan(12.5);
    expect(months).toBeLessThan(13.5);

    const deleted = await api<Mtls>(base, "DELETE", tls(db.name));
    expect(deleted.status).toBe(202);
    expect(deleted.json.status).toBe("Deprovisioning");
    await pollUntil(
      async () => (await api(base, "GET", tls(db.name))).status,
      (st) => st === 404,
    );
  });

  test("GET tls-endpoint can answer a transient 500 while provisioning; ISO timestamps on request", async () => {
    const db = await privateDb();
    await control(base, "PUT", "/mtls", { provisioningErrors: 2, timestampFormat: "iso" });
    try {
      await api(base, "POST", tls(db.name));
      expect((await api(base, "GET", tls(db.name))).status).toBe(500);
      expect((await api(base, "GET", tls(db.name))).status).toBe(500);
      const m = await pollUntil(
        async () => (await api<Mtls>(base, "GET", tls(db.name))).json,
        (x) => x.status === "Operational",
      );
      expect(m.status).toBe("Operational");
      const list = (await api<Cert[]>(base, "GET", `${tls(db.name)}/certificates`)).json;
      expect(list[0]!.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/);
    } finally {
      await control(base, "PUT", "/mtls", { provisioningErrors: 0, timestampFormat: "heroku" });
    }
  });

  test("refusals: non-Private plan, Enhanced Certificates either order, bad CIDRs, duplicates, the 61st rule", async () => {
    const { addon: std } = await provisioned(base, "acme-api", { plan: "heroku-postgresql:standard-0" });
    const r1 = await api<{ message: string }>(base, "POST", tls(std.name));
    expect(r1.status).toBe(422);
    expect(r1.json.message).toMatch(/only available for Private and Shield/);

    const ec = await privateDb();
    await api(base, "PUT", `/client/v11/enhanced_certificates/${ec.name}/enable`);
    const r2 = await api<{ message: string }>(base, "POST", tls(ec.name));
    expect(r2.status).toBe(422);
    expect(r2.json.message).toMatch(/Enhanced Certificates/);

    const db = await privateDb();
    await operational(db.name);
    const r3 = await api<{ message: string }>(base, "PUT", `/client/v11/enhanced_certificates/${db.name}/enable`);
    expect(r3.status).toBe(422);
    expect(r3.json.message).toMatch(/while mTLS is Operational/);
    expect((await api(base, "POST", tls(db.name))).status).toBe(422);

    for (const cidr of ["1.2.3.4", "256.1.1.1/32", "10.0.0.1/8", "1.2.3.4/33"]) {
      const bad = await api(base, "POST", `${tls(db.name)}/ip-rules`, { body: { cidr, description: "x" } });
      expect(bad.status).toBe(422);
    }
    for (let i = 0; i < 60; i++) {
      const ok = await api(base, "POST", `${tls(db.name)}/ip-rules`, {
        body: { cidr: `10.0.${i}.0/24`, description: `r${i}` },
      });
      expect(ok.status).toBe(201);
    }
    const dup = await api<{ message: string }>(base, "POST", `${tls(db.name)}/ip-rules`, {
      body: { cidr: "10.0.1.0/24" },
    });
    expect(dup.json.message).toMatch(/already allowlisted/);
    const r61 = await api<{ message: string }>(base, "POST", `${tls(db.name)}/ip-rules`, {
      body: { cidr: "10.1.0.0/24" },
    });
    expect(r61.status).toBe(422);
    expect(r61.json.message).toBe(`Database ${db.name} already has 60 IP rules, the most allowed per database.`);
    expect((await api(base, "GET", tls(std.name) + "/certificates")).status).toBe(404);
  });
});

describe("enforcement in PostgreSQL", () => {
  test("certificate + allowlisted address connects; no certificate, other CA, revoked, wrong address are refused", async () => {
    const db = await privateDb();
    const before = await db.url();
    const m = await operational(db.name);
    const url = await db.url();
    // The URL does not change with mTLS (as on Heroku): the database's front door now asks for a certificate.
    expect(url).toBe(before);
    // The same credentials against the database's own cluster port, which must refuse them while mTLS is on.
    const clusterPort = new URL(s.emulator.adminDatabaseUrls()[db.name]!).port;
    const directUrl = url.replace(/:\d+\//, `:${clusterPort}/`);
    const first = (await api<Cert[]>(base, "GET", `${tls(db.name)}/certificates`)).json[0]!;
    const cert = await readyCert(db.name, first.id);
    const files = {
      certificateWithChain: cert.certificate_with_chain!,
      privateKey: cert.private_key!,
      rootChain: m.certificate_authority_chain,
    };

    await authorizedRule(db.name, "203.0.113.0/24", "office");
    expect(await psqlWith(url, files)).toMatch(/from 127\.0\.0\.1 are not allowed: no Authorized IP rule/);
    const loopback = await authorizedRule(db.name, "127.0.0.1/32", "local");
    expect(await psqlWith(url, files)).toBe("connected");
    expect(await psqlWith(url, { rootChain: files.rootChain })).toMatch(/need a client certificate/);
    // The direct port no longer admits this database.
    expect(await whoAmI(directUrl).catch((e: Error) => e.message)).toMatch(/pg_hba\.conf rejects/);

    // A certificate of another database is refused.
    const other = await privateDb();
    await operational(other.name);
    const otherFirst = (await api<Cert[]>(base, "GET", `${tls(other.name)}/certificates`)).json[0]!;
    const otherCert = await readyCert(other.name, otherFirst.id);
    expect(
      await psqlWith(url, {
        certificateWithChain: otherCert.certificate_with_chain!,
        privateKey: otherCert.private_key!,
        rootChain: files.rootChain,
      }),
    ).toMatch(/not issued for database/);

    // A second certificate works; deleting it revokes it while the first still works.
    const second = await api<Cert>(base, "POST", `${tls(db.name)}/certificates`);
    expect(second.json.status).toBe("pending");
    expect(second.json.expires_at).toBeNull();
    const secondReady = await readyCert(db.name, second.json.id);
    const secondFiles = {
      ...files,
      certificateWithChain: secondReady.certificate_with_chain!,
      privateKey: secondReady.private_key!,
    };
    expect(await psqlWith(url, secondFiles)).toBe("connected");
    const del = await api<Cert>(base, "DELETE", `${tls(db.name)}/certificates/${second.json.id}`);
    expect(del.json.status).toBe("disabling");
    expect(await psqlWith(url, secondFiles)).toMatch(/has been revoked/);
    expect(await psqlWith(url, files)).toBe("connected");
    await pollUntil(
      async () => (await api(base, "GET", `${tls(db.name)}/certificates/${second.json.id}`)).status,
      (st) => st === 404,
    );
    const listed = (await api<Cert[]>(base, "GET", `${tls(db.name)}/certificates`)).json;
    expect(listed.find((c) => c.id === second.json.id)?.status).toBe("disabled");

    // Removing the loopback rule cuts access at once.
    expect((await api(base, "DELETE", `${tls(db.name)}/ip-rules/${loopback.id}`)).status).toBe(200);
    expect(await psqlWith(url, files)).toMatch(/not allowed/);

    // Destroying mTLS restores the database's earlier access.
    await api(base, "DELETE", tls(db.name));
    await pollUntil(
      async () => (await api(base, "GET", tls(db.name))).status,
      (st) => st === 404,
    );
    expect(await db.url()).toBe(url);
    await pollUntil(
      () =>
        whoAmI(url).then(
          () => "ok",
          (e: Error) => e.message,
        ),
      (r) => r === "ok",
    );
    expect(libpq(url)).toContain("sslmode=require");
    expect((await whoAmI(directUrl)).ssl).toBe(true);
  });

  test("renewal: with the clock 75 days before expiry a new certificate appears", async () => {
    const db = await privateDb();
    await operational(db.name);
    const first = (await api<Cert[]>(base, "GET", `${tls(db.name)}/certificates`)).json[0]!;
    await readyCert(db.name, first.id);
    // 13 months minus 74 days: inside the renewal window.
    await control(base, "POST", "/clock", { advanceSeconds: (396 - 74) * 86400 });
    // The clock's jump makes the emulator renew at once; a kept-alive connection may be reset meanwhile.
    const list = await pollUntil(
      async () => (await api<Cert[]>(base, "GET", `${tls(db.name)}/certificates`, { retryResets: true })).json,
      (l) => l.length === 2,
    );
    const renewed = list.find((c) => c.id !== first.id)!;
    expect(renewed.status).toBe("ready");
    expect(Date.parse(renewed.expires_at!.replace(" +0000", "Z").replace(" ", "T"))).toBeGreaterThan(
      Date.parse(
        list
          .find((c) => c.id === first.id)!
          .expires_at!.replace(" +0000", "Z")
          .replace(" ", "T"),
      ),
    );
  });
});
