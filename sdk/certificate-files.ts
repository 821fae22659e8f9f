import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { type ClientCertificateMaterial, planCertificateFiles } from "../provider/mtls-config/certificates";
import type { MtlsConfig } from "./mtls-config";

/** The files written for one client certificate. */
export interface CertificateFilePaths {
  /** `<prefix>postgresql.crt`: the client certificate with its chain (PGSSLCERT / sslcert). */
  certificate: string;
  /** `<prefix>postgresql.key`: the private key, mode 0600 (PGSSLKEY / sslkey). */
  key: string;
  /** `<prefix>root.crt`: the server's CA chain (PGSSLROOTCERT / sslrootcert). */
  root: string;
  /** `<prefix>postgresql.pk8`: the key as PKCS#8 DER for JDBC, when asked for. */
  pkcs8?: string;
}

/**
 * Writes what `heroku data:mtls:certificates:download --prefix P --dir D` writes (seed 000): the certificate with
 * chain, the key (0600) and the server's root chain, and with `includePkcs8` the DER key for JDBC.
 */
export function writeCertificateFiles(
  dir: string,
  prefix: string,
  material: ClientCertificateMaterial,
  includePkcs8 = false,
): CertificateFilePaths {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const planned = planCertificateFiles(dir, prefix, material, includePkcs8);
  for (const file of planned) {
    fs.writeFileSync(file.path, Buffer.from(file.contents, file.encoding), { mode: file.mode });
    fs.chmodSync(file.path, file.mode); // an existing file keeps its old mode otherwise
  }
  const [certificate, key, root, pkcs8] = planned.map((f) => f.path) as [string, string, string, string?];
  return { certificate, key, root, ...(pkcs8 ? { pkcs8 } : {}) };
}

/**
 * The files of one named certificate of an {@link MtlsConfig}, written once its values are known (not during
 * preview). The result holds only paths, so it is not secret.
 */
export function certificateFiles(
  mtls: MtlsConfig,
  certificateName: string,
  dir: string,
  prefix = `${certificateName}_`,
  includePkcs8 = false,
): pulumi.Output<CertificateFilePaths> {
  return pulumi.unsecret(
    pulumi.all([mtls.certificates, mtls.certificateAuthorityChain]).apply(([certificates, root]) => {
      const cert = certificates[certificateName];
      if (!cert) throw new Error(`MtlsConfig has no certificate named ${certificateName}`);
      return writeCertificateFiles(
        dir,
        prefix,
        {
          certificateWithChain: cert.certificateWithChain,
          privateKey: cert.privateKey,
          certificateAuthorityChain: root,
        },
        includePkcs8,
      );
    }),
  );
}
