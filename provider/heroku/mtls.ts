import { ProviderError } from "../shared/errors";
import { herokuClient } from "./client";
import { HerokuApiError, isNotFound } from "./errors";

/** docs/heroku-api.md 1.1: the MTLS object. */
export interface MtlsEndpoint {
  app: string | null;
  addon: string;
  status: string;
  enabled_by?: string;
  certificate_authority_chain?: string;
  active_ip_rules?: IpRule[];
}

/** docs/heroku-api.md 1.2. private_key and certificate_with_chain only come with GET by id. */
export interface ClientCertificate {
  id: string;
  name?: string;
  status: string;
  created_at: string;
  updated_at?: string;
  expires_at: string | null;
  private_key?: string | null;
  certificate_with_chain?: string | null;
}

/** docs/heroku-api.md 1.3. */
export interface IpRule {
  id: string;
  cidr: string;
  description: string;
  status: string;
  created_at: string;
  updated_at: string;
}

const base = (db: string): string => `/postgres/v0/databases/${encodeURIComponent(db)}/tls-endpoint`;

export function getMtls(db: string): Promise<MtlsEndpoint> {
  return herokuClient().get<MtlsEndpoint>("data", base(db));
}

/** GET answers a transient 500 while provisioning (docs/heroku-api.md 1.1): that means "still Provisioning". */
export async function readMtlsStatus(db: string): Promise<MtlsEndpoint | "gone"> {
  try {
    return await getMtls(db);
  } catch (err) {
    if (isNotFound(err)) return "gone";
    if (err instanceof HerokuApiError && err.status >= 500) return { app: null, addon: db, status: "Provisioning" };
    throw err;
  }
}

/** Not repeated blindly after an ambiguous failure: the caller reads back with getMtls (shared/resume.ts). */
export async function enableMtls(db: string): Promise<MtlsEndpoint> {
  return (await herokuClient().request<MtlsEndpoint>({ api: "data", method: "POST", path: base(db) })).data;
}

export async function disableMtls(db: string): Promise<void> {
  await herokuClient().request({ api: "data", method: "DELETE", path: base(db) });
}

export function listCertificates(db: string): Promise<ClientCertificate[]> {
  return herokuClient().list<ClientCertificate>("data", `${base(db)}/certificates`);
}

export function getCertificate(db: string, id: string): Promise<ClientCertificate> {
  return herokuClient().get<ClientCertificate>("data", `${base(db)}/certificates/${encodeURIComponent(id)}`);
}

export async function createCertificate(db: string): Promise<ClientCertificate> {
  return (
    await herokuClient().request<ClientCertificate>({
      api: "data",
      method: "POST",
      path: `${base(db)}/certificates`,
      body: {},
    })
  ).data;
}

export async function deleteCertificate(db: string, id: string): Promise<void> {
  await herokuClient().request({
    api: "data",
    method: "DELETE",
    path: `${base(db)}/certificates/${encodeURIComponent(id)}`,
  });
}

export function listIpRules(db: string): Promise<IpRule[]> {
  return herokuClient().list<IpRule>("data", `${base(db)}/ip-rules`);
}

export function getIpRule(db: string, id: string): Promise<IpRule> {
  return herokuClient().get<IpRule>("data", `${base(db)}/ip-rules/${encodeURIComponent(id)}`);
}

export async function createIpRule(db: string, cidr: string, description: string): Promise<IpRule> {
  return (
    await herokuClient().request<IpRule>({
      api: "data",
      method: "POST",
      path: `${base(db)}/ip-rules`,
      body: { cidr, description },
    })
  ).data;
}

export async function deleteIpRule(db: string, id: string): Promise<void> {
  await herokuClient().request({
    api: "data",
    method: "DELETE",
    path: `${base(db)}/ip-rules/${encodeURIComponent(id)}`,
  });
}

/**
 * The database's IP rules for a resource that manages some (`dependent`: "rule", "allowlist"); a 404 means mTLS is
 * off, which IP rules need, and says how to order the resources.
 */
export async function ipRulesNeedingMtls(database: string, dependent: string): Promise<IpRule[]> {
  return listIpRules(database).catch((err: unknown) => {
    if (isNotFound(err)) {
      throw new ProviderError(
        `mTLS is not enabled on database ${database}; IP rules need it (create an MtlsConfig for the database and make this ${dependent} depend on it)`,
      );
    }
    throw err;
  });
}
