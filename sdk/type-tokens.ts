// The type tokens Pulumi records for this package's resources, in one place so that the policy pack, the review
// command and users' own policies spell them the same way. A dynamic resource created with a module and type name
// gets the token `pulumi-nodejs:dynamic/<module>:<type>` (@pulumi/pulumi dynamic/index.ts, Resource constructor).

/** The module every dynamic resource of this package registers under. */
export const DYNAMIC_MODULE = "heroku-pg-secure";

function dynamicToken<T extends string>(type: T): `pulumi-nodejs:dynamic/${typeof DYNAMIC_MODULE}:${T}` {
  return `pulumi-nodejs:dynamic/${DYNAMIC_MODULE}:${type}`;
}

/** Type tokens by resource class name, e.g. `TYPE_TOKENS.IpRule`. */
export const TYPE_TOKENS = {
  CustomerKey: dynamicToken("CustomerKey"),
  SecureDatabase: dynamicToken("SecureDatabase"),
  MtlsConfig: dynamicToken("MtlsConfig"),
  IpRule: dynamicToken("IpRule"),
  IpAllowlist: dynamicToken("IpAllowlist"),
  Credential: dynamicToken("Credential"),
  SecurePostgres: "heroku-pg-secure:index:SecurePostgres",
} as const;

export type ResourceKind = keyof typeof TYPE_TOKENS;

/** The class name for a type token of this package, or undefined for anything else. */
export function kindOfType(type: string): ResourceKind | undefined {
  return (Object.keys(TYPE_TOKENS) as ResourceKind[]).find((k) => TYPE_TOKENS[k] === type);
}
