export * from "./key-policy";
export * from "./customer-key";
export * from "./secure-database";
