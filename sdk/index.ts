export * from "./key-policy";
export * from "./customer-key";
export * from "./secure-database";
export * from "./mtls-config";
export * from "./ip-rule";
export * from "./credential";
export * from "./certificate-files";
export * from "./secure-postgres";
