import * as path from "node:path";
import { X509Certificate, createPrivateKey, type KeyObject } from "node:crypto";
import { ProviderError } from "../shared/errors";

// Dev Center's mTLS article (docs/heroku-api.md), "Client certificate renewal": certificates expire 13 months after creation and Heroku makes a new
// one 75 days before that.
export const CLIENT_CERTIFICATE_VALIDITY_MONTHS = 13;
export const CERTIFICATE_RENEWAL_LEAD_DAYS = 75;
const DAY_MS = 24 * 60 * 60 * 1000;

// Dev Center's mTLS article (docs/heroku-api.md), "Download client-side certificates": the CLI's default directory and the three files it writes;
// the key must be chmod 0600 (libpq refuses a key readable by others).
export const DEFAULT_CERTIFICATE_SUBDIRECTORY = ".postgresql";
export const CLIENT_CERTIFICATE_FILE = "postgresql.crt";
export const CLIENT_KEY_FILE = "postgresql.key";
export const ROOT_CERTIFICATE_FILE = "root.crt";
export const PKCS8_KEY_FILE = "postgresql.pk8";
export const PRIVATE_KEY_FILE_MODE = 0o600;
export const CERTIFICATE_FILE_MODE = 0o644;

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
const BASE64_BODY = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * A PEM RSA private key, PKCS#1 (`RSA PRIVATE KEY`, what Heroku returns) or unencrypted PKCS#8 (`PRIVATE KEY`),
 * as PKCS#8 DER in base64: the format JDBC's sslkey needs (Dev Center's mTLS article (docs/heroku-api.md), "Configuring external applications";
 * the same bytes as `openssl pkcs8 -topk8 -outform DER -nocrypt`).
 */
export function privateKeyToPkcs8DerBase64(pem: string): string {
  const type = /-----BEGIN ([A-Z ]+)-----/.exec(pem)?.[1];
  if (type === "ENCRYPTED PRIVATE KEY" || /Proc-Type: 4,ENCRYPTED/.test(pem)) {
    throw new ProviderError("the private key is encrypted; only unencrypted PEM keys can be converted to PKCS#8 DER");
  }
  if (type !== "RSA PRIVATE KEY" && type !== "PRIVATE KEY") {
    throw new ProviderError(
      `expected a PEM "RSA PRIVATE KEY" or "PRIVATE KEY", got ${type ? `"${type}"` : "no PEM block"}`,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: "pem" });
  } catch (err) {
    throw new ProviderError(`the private key could not be read: ${(err as Error).message}`);
  }
  if (key.asymmetricKeyType !== "rsa") {
    throw new ProviderError(`the private key is not an RSA key (it is ${key.asymmetricKeyType ?? "unknown"})`);
  }
  return key.export({ format: "der", type: "pkcs8" }).toString("base64");
}

/**
 * The certificates of a PEM chain, each normalised: `\n` line endings, base64 wrapped at 64 columns, one
 * trailing newline. Text between blocks (openssl's `subject=` lines) is dropped; other PEM types are rejected.
 */
export function splitPemChain(text: string): string[] {
  const blocks: string[] = [];
  for (const match of text.matchAll(PEM_BLOCK)) {
    const [, type, rawBody] = match;
    if (type !== "CERTIFICATE")
      throw new ProviderError(`expected only CERTIFICATE blocks in the chain, found "${type}"`);
    const body = (rawBody ?? "").replace(/\s+/g, "");
    if (!BASE64_BODY.test(body))
      throw new ProviderError(`certificate ${blocks.length + 1} of the chain is not valid base64`);
    const lines = body.match(/.{1,64}/g) ?? [];
    blocks.push(`-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`);
  }
  if (blocks.length === 0) throw new ProviderError("expected at least one PEM CERTIFICATE block, found none");
  return blocks;
}

/** The chain as one normalised PEM text (leaf first, as given). */
export function normalizePemChain(text: string): string {
  return splitPemChain(text).join("");
}

export interface CertificateSummary {
  /** `CN=..., O=...` in the certificate's attribute order. */
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
}

/** Subject, issuer and validity of the first certificate in a PEM text (the leaf of a chain). */
export function readCertificate(pem: string): CertificateSummary {
  const first = splitPemChain(pem)[0] ?? "";
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(first);
  } catch (err) {
    throw new ProviderError(`the certificate could not be parsed: ${(err as Error).message}`);
  }
  return {
    subject: formatName(cert.subject),
    issuer: formatName(cert.issuer),
    // node:crypto prints the serial in upper-case hex; outputs keep the lower case they always had.
    serialNumber: cert.serialNumber.toLowerCase(),
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
  };
}

/** node:crypto gives one `KEY=value` line per attribute, in the certificate's order. */
function formatName(name: string): string {
  return name.split("\n").filter(Boolean).join(", ");
}

// docs/heroku-api.md 1.3 "Timestamp format warning": both forms occur in certificate and IP-rule JSON.

/** Creation + 13 months (UTC), clamped to the month's last day (Jan 31 -> Feb 28/29 of the next year). */
export function expectedExpiry(createdAt: string): string {
  const created = new Date(createdAt);
  const target = created.getUTCMonth() + CLIENT_CERTIFICATE_VALIDITY_MONTHS;
  const lastDay = new Date(Date.UTC(created.getUTCFullYear(), target + 1, 0)).getUTCDate();
  const expiry = new Date(created);
  expiry.setUTCDate(1);
  expiry.setUTCMonth(target);
  expiry.setUTCDate(Math.min(created.getUTCDate(), lastDay));
  return expiry.toISOString();
}

/** When Heroku makes the replacement certificate: 75 days before expiry. */
export function renewalDueAt(expiresAt: string): string {
  return new Date(Date.parse(expiresAt) - CERTIFICATE_RENEWAL_LEAD_DAYS * DAY_MS).toISOString();
}

/** True from the moment Heroku renews (75 days before expiry) onwards, expired certificates included. */
export function isRenewalDue(expiresAt: string, now: Date): boolean {
  return now.getTime() >= Date.parse(renewalDueAt(expiresAt));
}

export interface ClientCertificateMaterial {
  certificateWithChain: string;
  privateKey: string;
  /** The server's CA chain (the tls-endpoint's `certificate_authority_chain`). */
  certificateAuthorityChain: string;
}

export interface PlannedFile {
  path: string;
  contents: string;
  /** How `contents` is encoded: text, or base64 of binary bytes (the DER key). */
  encoding: "utf8" | "base64";
  mode: number;
}

/**
 * The files `heroku data:mtls:certificates:download --prefix P --dir D` writes (Dev Center's mTLS article (docs/heroku-api.md)): `D/Ppostgresql.crt`
 * (client certificate with chain), `D/Ppostgresql.key` (mode 0600), `D/Proot.crt` (server chain); with
 * `includePkcs8` also `D/Ppostgresql.pk8` (DER, 0600) for JDBC.
 */
export function planCertificateFiles(
  dir: string,
  prefix: string,
  material: ClientCertificateMaterial,
  includePkcs8 = false,
): PlannedFile[] {
  if (/[/\\\0]/.test(prefix)) {
    throw new ProviderError(
      `prefix ${JSON.stringify(prefix)} must not contain "/", "\\" or NUL: it goes in front of file names`,
    );
  }
  const file = (name: string): string => path.join(dir, `${prefix}${name}`);
  const files: PlannedFile[] = [
    {
      path: file(CLIENT_CERTIFICATE_FILE),
      contents: normalizePemChain(material.certificateWithChain),
      encoding: "utf8",
      mode: CERTIFICATE_FILE_MODE,
    },
    {
      path: file(CLIENT_KEY_FILE),
      contents: withNewline(material.privateKey.replace(/\r\n/g, "\n")),
      encoding: "utf8",
      mode: PRIVATE_KEY_FILE_MODE,
    },
    {
      path: file(ROOT_CERTIFICATE_FILE),
      contents: normalizePemChain(material.certificateAuthorityChain),
      encoding: "utf8",
      mode: CERTIFICATE_FILE_MODE,
    },
  ];
  if (includePkcs8) {
    files.push({
      path: file(PKCS8_KEY_FILE),
      contents: privateKeyToPkcs8DerBase64(material.privateKey),
      encoding: "base64",
      mode: PRIVATE_KEY_FILE_MODE,
    });
  }
  return files;
}

function withNewline(text: string): string {
  const trimmed = text.trim();
  return trimmed.length === 0 ? "" : `${trimmed}\n`;
}
