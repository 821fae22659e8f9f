import * as crypto from "node:crypto";
import forge from "node-forge";

export interface KeyAndCert {
  keyPem: string;
  certPem: string;
}

export interface SubjectAltName {
  dns?: string[];
  ips?: string[];
}

const DAY_MS = 24 * 3600 * 1000;

/** node:crypto makes the RSA key (native, fast); node-forge builds and signs the X.509 certificate. */
function newKey(): { pem: string; forgeKey: forge.pki.rsa.PrivateKey; forgePublic: forge.pki.rsa.PublicKey } {
  const { privateKey } = crypto.generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const forgeKey = forge.pki.privateKeyFromPem(privateKey);
  const forgePublic = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e);
  return { pem: privateKey, forgeKey, forgePublic };
}

/**
 * A random 16-byte serial that DER encodes minimally: positive (top bit clear) and without a leading zero byte.
 * An odd-length hex string starting with "0" made forge emit a 0x00 byte before a byte below 0x80, which OpenSSL
 * rejects ("illegal padding") for about half of all serials.
 */
export function serial(): string {
  const bytes = crypto.randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return bytes.toString("hex");
}

export function makeCa(commonName: string, years: number): KeyAndCert {
  const key = newKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = key.forgePublic;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - DAY_MS);
  cert.validity.notAfter = new Date(Date.now() + years * 365 * DAY_MS);
  const attrs = [
    { name: "commonName", value: commonName },
    { name: "organizationName", value: "heroku-pg-secure emulator" },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  cert.sign(key.forgeKey, forge.md.sha256.create());
  return { keyPem: key.pem, certPem: forge.pki.certificateToPem(cert) };
}

export function makeServerCert(ca: KeyAndCert, commonName: string, san: SubjectAltName, days: number): KeyAndCert {
  const key = newKey();
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = key.forgePublic;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - DAY_MS);
  cert.validity.notAfter = new Date(Date.now() + days * DAY_MS);
  cert.setSubject([{ name: "commonName", value: commonName }]);
  cert.setIssuer(caCert.subject.attributes);
  const altNames = [
    ...(san.dns ?? []).map((value) => ({ type: 2, value })),
    ...(san.ips ?? []).map((ip) => ({ type: 7, ip })),
  ];
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    { name: "subjectAltName", altNames },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { keyPem: key.pem, certPem: forge.pki.certificateToPem(cert) };
}
