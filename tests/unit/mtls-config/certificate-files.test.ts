import { generateKeyPairSync } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { plannedPaths, writeCertificateFiles, writeReplacing } from "../../../sdk/certificate-files";

const material = {
  certificateWithChain: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
  privateKey: generateKeyPairSync("rsa", { modulusLength: 1024 })
    .privateKey.export({ type: "pkcs1", format: "pem" })
    .toString(),
  certificateAuthorityChain: "-----BEGIN CERTIFICATE-----\nCCCC\n-----END CERTIFICATE-----",
};

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "hps-cert-files-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const mode = (p: string): number => fs.statSync(p).mode & 0o777;

test("a pre-existing 0666 key file is replaced by a 0600 one, never rewritten in place", () => {
  const key = path.join(dir, "app_postgresql.key");
  fs.writeFileSync(key, "old", { mode: 0o666 });
  fs.chmodSync(key, 0o666);
  const before = fs.statSync(key).ino;
  const written = writeCertificateFiles(dir, "app_", material);
  expect(written.key).toBe(key);
  expect(mode(key)).toBe(0o600);
  expect(fs.readFileSync(key, "utf8")).toContain("BEGIN RSA PRIVATE KEY");
  expect(fs.statSync(key).ino).not.toBe(before); // a new file renamed into place
  expect(mode(written.certificate)).toBe(0o644);
});

test("a symlink at the key's path is replaced, and the file it pointed at is left untouched", () => {
  const elsewhere = path.join(dir, "elsewhere.txt");
  fs.writeFileSync(elsewhere, "not a key");
  const key = path.join(dir, "app_postgresql.key");
  fs.symlinkSync(elsewhere, key);
  writeCertificateFiles(dir, "app_", material);
  expect(fs.lstatSync(key).isSymbolicLink()).toBe(false);
  expect(fs.readFileSync(elsewhere, "utf8")).toBe("not a key");
  expect(mode(key)).toBe(0o600);
});

test("no temporary file is left behind, and a failed write leaves the target as it was", () => {
  writeCertificateFiles(dir, "", material, true);
  expect(fs.readdirSync(dir).sort()).toEqual(["postgresql.crt", "postgresql.key", "postgresql.pk8", "root.crt"]);
  const target = path.join(dir, "missing-dir", "x.key");
  expect(() => writeReplacing(target, Buffer.from("x"), 0o600)).toThrow(/ENOENT/);
});

test("plannedPaths names what a preview would write, and writes nothing", () => {
  const planned = plannedPaths(dir, "ci_", true);
  expect(planned).toEqual({
    certificate: path.join(dir, "ci_postgresql.crt"),
    key: path.join(dir, "ci_postgresql.key"),
    root: path.join(dir, "ci_root.crt"),
    pkcs8: path.join(dir, "ci_postgresql.pk8"),
  });
  expect(fs.readdirSync(dir)).toEqual([]);
});
