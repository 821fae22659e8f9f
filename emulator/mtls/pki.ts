import * as crypto from "node:crypto";
import forge from "node-forge";
import { makeCa, makeServerCert, serial as randomSerial } from "../tls/certs";
import type { PemPair } from "./types";

const DAY_MS = 24 * 3600 * 1000;
/** Dev Center's mTLS article (docs/heroku-api.md): a client certificate expires 13 months after creation. */
export const CLIENT_CERTIFICATE_MONTHS = 13;
/** Dev Center's mTLS article (docs/heroku-api.md): 75 days before expiry Heroku creates a new client certificate. */
export const RENEWAL_LEAD_DAYS = 75;
export const RENEWAL_LEAD_MS = RENEWAL_LEAD_DAYS * DAY_MS;

export function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.getTime();
}

/** Per database, as Heroku provisions CAs per space (Dev Center's mTLS article (docs/heroku-api.md), "Overview"). */
export function makeDatabaseCas(addonName: string): { serverCa: PemPair; server: PemPair; clientCa: PemPair } {
  const serverCa = makeCa(`${addonName} mTLS server CA`, 10);
  const server = makeServerCert(
    serverCa,
    `${addonName}.mtls.localhost`,
    { dns: ["localhost"], ips: ["127.0.0.1"] },
    3650,
  );
  const clientCa = makeCa(`${addonName} mTLS client CA`, 10);
  return { serverCa, server, clientCa };
}

/**
 * A client certificate valid from the emulator clock's "now" for 13 months. notBefore is also never after the
 * real time, so TLS libraries (which use the real clock) accept it after POST /__emulator/clock moved time on.
 */
export function issueClientCertificate(
  clientCa: PemPair,
  commonName: string,
  nowMs: number,
): { keyPem: string; certPem: string; chainPem: string; serial: string; expiresAt: number } {
  const { privateKey } = crypto.generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const key = forge.pki.privateKeyFromPem(privateKey);
  const caCert = forge.pki.certificateFromPem(clientCa.certPem);
  const caKey = forge.pki.privateKeyFromPem(clientCa.keyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = randomSerial();
  const expiresAt = Math.floor(addMonths(nowMs, CLIENT_CERTIFICATE_MONTHS) / 1000) * 1000;
  cert.validity.notBefore = new Date(Math.min(nowMs, Date.now()) - DAY_MS);
  cert.validity.notAfter = new Date(expiresAt);
  cert.setSubject([{ name: "commonName", value: commonName }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", clientAuth: true },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  const serial = new crypto.X509Certificate(certPem).serialNumber.toUpperCase();
  return { keyPem: privateKey, certPem, chainPem: certPem + clientCa.certPem, serial, expiresAt };
}
