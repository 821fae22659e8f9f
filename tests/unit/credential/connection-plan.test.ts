import { connectionPlan, UnverifiedServerError } from "../../../provider/credential/sql";

const url = (query: string): string => `postgres://u:p@db.example.com:5432/d${query}`;

test.each([
  ["sslmode=require asks for no certificate: channel binding", { url: url("?sslmode=require") }, "channel-binding"],
  ["no sslmode at all: channel binding", { url: url("") }, "channel-binding"],
  [
    "Enhanced Certificates (verify-full): the certificate",
    { url: url("?sslmode=verify-full&sslrootcert=/etc/ssl/certs/ca-certificates.crt") },
    "certificate",
  ],
  ["verify-ca: the certificate", { url: url("?sslmode=verify-ca") }, "certificate"],
  [
    "mTLS: the database's CA chain",
    { url: url("?sslmode=require"), mtls: { cert: "c", key: "k", ca: "-----BEGIN CERTIFICATE-----" } },
    "mtls-ca",
  ],
])("%s", (_what, conn, verification) => {
  expect(connectionPlan(conn).verification).toBe(verification);
});

test("mTLS with an empty CA chain is an error, never the public roots", () => {
  expect(() => connectionPlan({ db: "postgresql-x", url: url(""), mtls: { cert: "c", key: "k", ca: " " } })).toThrow(
    UnverifiedServerError,
  );
  expect(() => connectionPlan({ db: "postgresql-x", url: url(""), mtls: { cert: "c", key: "k", ca: "" } })).toThrow(
    /gave no server CA chain/,
  );
});

test("verify-full keeps the path the URL names, which the connection uses only when it exists", () => {
  expect(connectionPlan({ url: url("?sslmode=verify-full&sslrootcert=/nowhere/root.crt") }).rootCertPath).toBe(
    "/nowhere/root.crt",
  );
});
