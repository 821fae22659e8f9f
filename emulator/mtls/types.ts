import type { PendingTransition } from "../machines/pending";

/** mTLS on one database (docs/heroku-api.md 1.1): its CAs, client certificates and IP rules. */
export interface MtlsRecord {
  /** Provisioning -> Operational; Deprovisioning -> gone (the record is removed). */
  status: "Provisioning" | "Operational" | "Deprovisioning";
  enabledBy: string;
  /** Emulator clock, ms. */
  createdAt: number;
  /** Signs the endpoint's server certificate; its certificate is `certificate_authority_chain` (root.crt). */
  serverCa: PemPair;
  server: PemPair;
  /** Signs client certificates; the endpoint trusts only this CA. */
  clientCa: PemPair;
  certificates: MtlsCertificate[];
  ipRules: IpRuleRecord[];
  pending: PendingTransition[];
}

export interface PemPair {
  keyPem: string;
  certPem: string;
}

export interface MtlsCertificate {
  id: string;
  name: string;
  /** pending -> ready; disabling -> disabled (revoked from the moment DELETE is received). */
  status: "pending" | "ready" | "disabling" | "disabled";
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
  /** Hex serial, as node's X509Certificate reports it (upper case). */
  serial: string;
  keyPem: string;
  /** Client certificate followed by the client CA. */
  chainPem: string;
  /** Set when the renewal 75 days before expiry made a successor (Dev Center's mTLS article (docs/heroku-api.md), "Client certificate renewal"). */
  renewedBy?: string;
  pending: PendingTransition[];
}

export interface IpRuleRecord {
  id: string;
  cidr: string;
  description: string;
  /** Authorizing -> Authorized. Only Authorized rules let connections in. */
  status: "Authorizing" | "Authorized";
  createdAt: number;
  updatedAt: number;
  pending: PendingTransition[];
}
