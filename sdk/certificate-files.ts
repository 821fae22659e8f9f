import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import {
  CLIENT_CERTIFICATE_FILE,
  CLIENT_KEY_FILE,
  type ClientCertificateMaterial,
  PKCS8_KEY_FILE,
  planCertificateFiles,
  ROOT_CERTIFICATE_FILE,
} from "../provider/mtls-config/certificates";
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
 * Writes what `heroku data:mtls:certificates:download --prefix P --dir D` writes (Dev Center's mTLS article (docs/heroku-api.md)): the certificate with
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
  for (const file of planned) writeReplacing(file.path, Buffer.from(file.contents, file.encoding), file.mode);
  const [certificate, key, root, pkcs8] = planned.map((f) => f.path) as [string, string, string, string?];
  return { certificate, key, root, ...(pkcs8 ? { pkcs8 } : {}) };
}

/** The paths writeCertificateFiles would write, without writing (for previews). */
export function plannedPaths(dir: string, prefix: string, includePkcs8 = false): CertificateFilePaths {
  const file = (name: string): string => path.join(dir, `${prefix}${name}`);
  return {
    certificate: file(CLIENT_CERTIFICATE_FILE),
    key: file(CLIENT_KEY_FILE),
    root: file(ROOT_CERTIFICATE_FILE),
    ...(includePkcs8 ? { pkcs8: file(PKCS8_KEY_FILE) } : {}),
  };
}

/**
 * Writes through a new file in the same directory, created with O_EXCL (so it is never an existing file or a
 * symlink someone placed there) and the final mode from the start, then renamed over the target: a reader sees
 * the old file or the new one, a pre-existing 0666 file or a symlink at the path is replaced, never written
 * through, and the key is never readable by others, even for a moment.
 */
export function writeReplacing(target: string, contents: Buffer, mode: number): void {
  const temp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}.${crypto.randomBytes(6).toString("hex")}.tmp`,
  );
  const fd = fs.openSync(
    temp,
    fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW,
    mode,
  );
  try {
    fs.writeSync(fd, contents);
    fs.fchmodSync(fd, mode); // the umask may have narrowed or the platform ignored the creation mode
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(temp, target);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
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
      // A preview changes nothing, on this machine either: it reports the paths `up` writes. (Pulumi runs this
      // callback during a preview too whenever the values are already known from the last up.)
      if (pulumi.runtime.isDryRun()) return plannedPaths(dir, prefix, includePkcs8);
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
