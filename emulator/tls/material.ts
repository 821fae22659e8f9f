import * as fs from "node:fs";
import * as path from "node:path";
import { makeCa, makeServerCert, type KeyAndCert } from "./certs";

/** Files under stateDir/tls, made once and reused across restarts so clients keep trusting the same roots. */
export interface TlsMaterial {
  /** CA for the emulator's own HTTPS endpoint (clients trust it through NODE_EXTRA_CA_CERTS). */
  caCertPath: string;
  https: KeyAndCert;
  /** Stands in for the public roots Enhanced Certificates chain to (sslrootcert). */
  publicRootPath: string;
  /** PostgreSQL's server certificate: signed by the public root, SAN localhost only. */
  postgres: KeyAndCert;
}

function loadOrMake(dir: string, base: string, make: () => KeyAndCert): KeyAndCert {
  const certPath = path.join(dir, `${base}.pem`);
  const keyPath = path.join(dir, `${base}-key.pem`);
  if (fs.existsSync(certPath) && fs.existsSync(keyPath)) {
    return { certPem: fs.readFileSync(certPath, "utf8"), keyPem: fs.readFileSync(keyPath, "utf8") };
  }
  const made = make();
  fs.writeFileSync(keyPath, made.keyPem, { mode: 0o600 });
  fs.writeFileSync(certPath, made.certPem, { mode: 0o644 });
  return made;
}

export function ensureTlsMaterial(stateDir: string): TlsMaterial {
  const dir = path.join(stateDir, "tls");
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = loadOrMake(dir, "emulator-ca", () => makeCa("heroku-pg-secure emulator CA", 10));
  const https = loadOrMake(dir, "https", () =>
    makeServerCert(ca, "localhost", { dns: ["localhost"], ips: ["127.0.0.1"] }, 825),
  );
  const publicRoot = loadOrMake(dir, "public-root", () => makeCa("heroku-pg-secure emulator public root", 10));
  // SAN localhost only, so verify-full against 127.0.0.1 fails like Heroku's ordinary self-signed certificates.
  const postgres = loadOrMake(dir, "postgres-server", () =>
    makeServerCert(publicRoot, "localhost", { dns: ["localhost"] }, 395),
  );
  // Clients read the two CA files by path; the key files themselves stay 0600.
  fs.chmodSync(dir, 0o755);
  return {
    caCertPath: path.join(dir, "emulator-ca.pem"),
    https,
    publicRootPath: path.join(dir, "public-root.pem"),
    postgres,
  };
}
