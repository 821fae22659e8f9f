import type { DatabaseIdentity } from "../shared/database-ref";
import type { Timeouts } from "../shared/timeouts";

/** The plain inputs the provider receives (the sdk class has the documented pulumi.Input version). */
export interface MtlsConfigInputs extends DatabaseIdentity {
  /** Set by the sdk class (sdk/resume-key.ts): lets `create` recognise what an interrupted run made. */
  resumeKey?: string;
  /** The Postgres add-on's name or id (docs/heroku-api.md 0: `{db}` accepts both). */
  database: string;
  /**
   * Names of the client certificates to keep, one per consumer. Enabling mTLS makes one certificate
   * (docs/heroku-api.md 1.1); it takes the first name, and each further name gets a new certificate.
   */
  certificateNames: string[];
  /** Adopt an mTLS configuration that is already enabled instead of enabling it. */
  adoptExisting?: boolean;
  /**
   * Whether create waits for the endpoint to be Operational (the default). false: create returns once mTLS is
   * enabled and the certificates are ready; whatever lets clients in (an IpAllowlist) waits for Operational.
   */
  waitForOperational?: boolean;
  timeouts?: Timeouts;
}

/** One client certificate as stored in state (docs/heroku-api.md 1.2 plus what we derive). */
export interface ClientCertificateOutput {
  id: string;
  /** `pending`, `ready`, `disabling` (docs/heroku-api.md 1.2). */
  status: string;
  createdAt: string;
  expiresAt?: string;
  certificateWithChain: string;
  /** Secret. PEM as Heroku returns it. */
  privateKey: string;
  /** Secret. PKCS#8 DER in base64, for JDBC's sslkey (Dev Center's mTLS article (docs/heroku-api.md), "Configuring external applications"). */
  privateKeyPkcs8DerBase64: string;
  /** Set once Heroku renewed this name's certificate (75 days before expiry): the id it replaced. */
  previousCertificateId?: string;
}

/** Everything stored in state. */
export interface MtlsConfigOutputs extends MtlsConfigInputs {
  /** `Provisioning`, `Operational` (docs/heroku-api.md 1.1). */
  status: string;
  enabledBy?: string;
  /** The server's CA chain: what the CLI's download writes as `<prefix>root.crt`. */
  certificateAuthorityChain: string;
  /** Keyed by certificate name. */
  certificates: Record<string, ClientCertificateOutput>;
}
