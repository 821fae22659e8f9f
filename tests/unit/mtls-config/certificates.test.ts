import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";
import forge from "node-forge";
import { parseHerokuTimestamp, parseOptionalTimestamp } from "../../../provider/heroku/timestamps";
import {
  CERTIFICATE_RENEWAL_LEAD_DAYS,
  CLIENT_CERTIFICATE_VALIDITY_MONTHS,
  expectedExpiry,
  isRenewalDue,
  normalizePemChain,
  planCertificateFiles,
  privateKeyToPkcs8DerBase64,
  readCertificate,
  renewalDueAt,
  splitPemChain,
} from "../../../provider/mtls-config/certificates";

const keys = forge.pki.rsa.generateKeyPair({ bits: 2048 });
const pkcs1Pem = forge.pki.privateKeyToPem(keys.privateKey);
const pkcs8Pem = forge.pki.privateKeyInfoToPem(
  forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keys.privateKey)),
);

function makeCertificate(cn: string, serial: string, issuer?: forge.pki.CertificateField[]): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial;
  cert.validity.notBefore = new Date("2024-07-31T01:16:17Z");
  cert.validity.notAfter = new Date("2025-08-31T01:16:17Z");
  const subject = [
    { shortName: "CN", value: cn },
    { shortName: "O", value: "Acme" },
  ];
  cert.setSubject(subject);
  cert.setIssuer(issuer ?? subject);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

const ca = makeCertificate("acme-private CA", "0a");
const leaf = makeCertificate("bi-tool", "01", [
  { shortName: "CN", value: "acme-private CA" },
  { shortName: "O", value: "Acme" },
]);
const unix = (pem: string): string => pem.replace(/\r\n/g, "\n");

describe("privateKeyToPkcs8DerBase64", () => {
  const expectedDer = createPrivateKey(pkcs1Pem).export({ format: "der", type: "pkcs8" });

  it.each([
    ["PKCS#1 (RSA PRIVATE KEY, what Heroku returns)", pkcs1Pem],
    ["PKCS#8 (PRIVATE KEY)", pkcs8Pem],
    ["PKCS#1 with Unix line endings", unix(pkcs1Pem)],
  ])("converts %s to the bytes `openssl pkcs8 -topk8 -outform DER -nocrypt` gives", (_name, pem) => {
    const der = Buffer.from(privateKeyToPkcs8DerBase64(pem), "base64");
    expect(der.equals(expectedDer)).toBe(true);
  });

  it("round-trips: the DER key signs what the certificate's public key verifies", () => {
    const der = Buffer.from(privateKeyToPkcs8DerBase64(pkcs1Pem), "base64");
    const key = createPrivateKey({ key: der, format: "der", type: "pkcs8" });
    const data = Buffer.from("select 1");
    const signature = sign("sha256", data, key);
    expect(verify("sha256", data, createPublicKey(leaf), signature)).toBe(true);
  });

  it.each([
    [
      "an encrypted PKCS#8 key",
      "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n",
      "the private key is encrypted; only unencrypted PEM keys can be converted to PKCS#8 DER",
    ],
    [
      "an encrypted PKCS#1 key",
      "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nMIIB\n-----END RSA PRIVATE KEY-----\n",
      "the private key is encrypted; only unencrypted PEM keys can be converted to PKCS#8 DER",
    ],
    ["a certificate", leaf, 'expected a PEM "RSA PRIVATE KEY" or "PRIVATE KEY", got "CERTIFICATE"'],
    ["plain text", "not a key", 'expected a PEM "RSA PRIVATE KEY" or "PRIVATE KEY", got no PEM block'],
  ])("rejects %s", (_name, pem, message) => {
    expect(() => privateKeyToPkcs8DerBase64(pem)).toThrow(message);
  });

  it("rejects a non-RSA PKCS#8 key", () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" })
      .privateKey.export({ format: "pem", type: "pkcs8" })
      .toString();
    expect(() => privateKeyToPkcs8DerBase64(ec)).toThrow("the private key is not an RSA key (it is ec)");
  });
});

describe("splitPemChain / normalizePemChain", () => {
  it("splits a CRLF chain with text between blocks into normalised certificates, leaf first", () => {
    const messy = `subject=CN = bi-tool\r\n${leaf}\r\nissuer=CN = CA\r\n\r\n${ca}`;
    expect(splitPemChain(messy)).toEqual([unix(leaf), unix(ca)]);
    expect(normalizePemChain(messy)).toBe(unix(leaf) + unix(ca));
  });

  it("re-wraps a body written on one line at 64 columns", () => {
    const body = unix(leaf).split("\n").slice(1, -2).join("");
    expect(normalizePemChain(`-----BEGIN CERTIFICATE-----${body}-----END CERTIFICATE-----`)).toBe(unix(leaf));
  });

  it.each([
    ["", "expected at least one PEM CERTIFICATE block, found none"],
    [pkcs1Pem, 'expected only CERTIFICATE blocks in the chain, found "RSA PRIVATE KEY"'],
    [
      `${leaf}-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n`,
      "certificate 2 of the chain is not valid base64",
    ],
  ])("rejects bad chains (%#)", (text, message) => {
    expect(() => splitPemChain(text)).toThrow(message);
  });
});

describe("readCertificate", () => {
  it("reads subject, issuer, serial and validity of the leaf", () => {
    expect(readCertificate(leaf + ca)).toEqual({
      subject: "CN=bi-tool, O=Acme",
      issuer: "CN=acme-private CA, O=Acme",
      serialNumber: "01",
      notBefore: "2024-07-31T01:16:17.000Z",
      notAfter: "2025-08-31T01:16:17.000Z",
    });
  });

  it("reports a block that is base64 but not a certificate", () => {
    expect(() => readCertificate("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")).toThrow(
      /^the certificate could not be parsed: /,
    );
  });
});

describe("parseHerokuTimestamp", () => {
  it.each([
    ["2024-07-31 01:16:17 +0000", "2024-07-31T01:16:17.000Z"],
    ["2024-07-31 03:16:17 +0200", "2024-07-31T01:16:17.000Z"],
    ["2024-07-30 20:16:17 -0500", "2024-07-31T01:16:17.000Z"],
    ["2020-09-03T22:00:20.926+00:00", "2020-09-03T22:00:20.926Z"],
    ["2021-10-03T22:00:22.000+00:00", "2021-10-03T22:00:22.000Z"],
    ["2020-09-03T22:00:20Z", "2020-09-03T22:00:20.000Z"],
    ["2020-09-03T22:00:20.1234567Z", "2020-09-03T22:00:20.123Z"],
    ["2020-09-04T00:00:20+0200", "2020-09-03T22:00:20.000Z"],
    ["2024-02-29 00:00:00 +0000", "2024-02-29T00:00:00.000Z"],
  ])("%s -> %s", (text, iso) => {
    expect(parseHerokuTimestamp(text)).toBe(iso);
  });

  it.each([
    ["2024-07-31", 'unrecognised timestamp "2024-07-31"'],
    ["2024-07-31 01:16:17", 'unrecognised timestamp "2024-07-31 01:16:17"'],
    ["31/07/2024 01:16:17 +0000", 'unrecognised timestamp "31/07/2024 01:16:17 +0000"'],
    ["2023-02-29 00:00:00 +0000", 'timestamp "2023-02-29 00:00:00 +0000" is not a real date and time'],
    ["2024-13-01T00:00:00Z", 'timestamp "2024-13-01T00:00:00Z" is not a real date and time'],
    ["2024-01-01T24:00:00Z", 'timestamp "2024-01-01T24:00:00Z" is not a real date and time'],
  ])("rejects %s", (text, message) => {
    expect(() => parseHerokuTimestamp(text)).toThrow(message);
  });

  it("treats a pending certificate's null expiry as absent", () => {
    expect(parseOptionalTimestamp(null)).toBeUndefined();
    expect(parseOptionalTimestamp(undefined)).toBeUndefined();
    expect(parseOptionalTimestamp("2024-07-31 01:16:17 +0000")).toBe("2024-07-31T01:16:17.000Z");
  });
});

describe("certificate renewal", () => {
  it("uses Heroku's documented 13 months and 75 days", () => {
    expect([CLIENT_CERTIFICATE_VALIDITY_MONTHS, CERTIFICATE_RENEWAL_LEAD_DAYS]).toEqual([13, 75]);
  });

  it.each([
    ["2020-09-03T22:00:20.926Z", "2021-10-03T22:00:20.926Z"],
    ["2023-01-31T00:00:00.000Z", "2024-02-29T00:00:00.000Z"],
    ["2024-01-31T12:00:00.000Z", "2025-02-28T12:00:00.000Z"],
    ["2022-12-31T00:00:00.000Z", "2024-01-31T00:00:00.000Z"],
  ])("expectedExpiry(%s) = %s", (created, expiry) => {
    expect(expectedExpiry(created)).toBe(expiry);
  });

  it("is due from 75 days before expiry", () => {
    const expires = "2021-10-03T22:00:22.000Z";
    expect(renewalDueAt(expires)).toBe("2021-07-20T22:00:22.000Z");
    expect(isRenewalDue(expires, new Date("2021-07-20T22:00:21.999Z"))).toBe(false);
    expect(isRenewalDue(expires, new Date("2021-07-20T22:00:22.000Z"))).toBe(true);
    expect(isRenewalDue(expires, new Date("2022-01-01T00:00:00.000Z"))).toBe(true);
  });
});

describe("planCertificateFiles", () => {
  const material = { certificateWithChain: leaf + ca, privateKey: pkcs1Pem, certificateAuthorityChain: ca };

  it("plans the three files the CLI's download writes, the key 0600", () => {
    expect(planCertificateFiles("/home/me/.postgresql", "demo_", material)).toEqual([
      {
        path: "/home/me/.postgresql/demo_postgresql.crt",
        contents: unix(leaf) + unix(ca),
        encoding: "utf8",
        mode: 0o644,
      },
      { path: "/home/me/.postgresql/demo_postgresql.key", contents: unix(pkcs1Pem), encoding: "utf8", mode: 0o600 },
      { path: "/home/me/.postgresql/demo_root.crt", contents: unix(ca), encoding: "utf8", mode: 0o644 },
    ]);
  });

  it("adds the PKCS#8 DER key for JDBC when asked, with no prefix", () => {
    const files = planCertificateFiles("folder", "", material, true);
    expect(files.map((f) => [f.path, f.mode])).toEqual([
      ["folder/postgresql.crt", 0o644],
      ["folder/postgresql.key", 0o600],
      ["folder/root.crt", 0o644],
      ["folder/postgresql.pk8", 0o600],
    ]);
    expect(files[3]).toMatchObject({ encoding: "base64", contents: privateKeyToPkcs8DerBase64(pkcs1Pem) });
  });

  it("refuses a prefix that would escape the directory", () => {
    expect(() => planCertificateFiles("d", "../x", material)).toThrow(
      'prefix "../x" must not contain "/", "\\" or NUL: it goes in front of file names',
    );
  });
});
