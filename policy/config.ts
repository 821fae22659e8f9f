// Each policy's name, what it checks, its default enforcement level and the settings a stack can change in its
// policy-pack config file (`pulumi preview --policy-pack-config`, see Pulumi's CrossGuard docs, "Configuring
// policies"). Defaults live in the JSON schema: Pulumi merges them with the stack's file before policies run.
import type { EnforcementLevel, PolicyConfigSchema } from "@pulumi/policy";

export interface PolicyInfo {
  name: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  configSchema: PolicyConfigSchema;
}

export interface AllowlistConfig {
  /** The widest block allowed: a /16 rule passes with 16, a /8 fails. */
  minPrefix: number;
}
export interface CustomerKeyConfig {
  /** Plan tiers whose databases need a customer key; only Private and Shield plans can have one. */
  tiers: string[];
}
export interface KeyRotationConfig {
  maxRotationPeriodDays: number;
}
export interface ExternalAccessConfig {
  /** Resource names of databases reached from outside Heroku, or "*" for all of them. */
  externalDatabases: string[];
  /** Tiers whose databases accept connections from the internet, so they are always reached from outside. */
  publicTiers: string[];
}
export interface ReadWriteConfig {
  /** Apps that may have a read-write credential attached. */
  allowedApps: string[];
}
export interface ProtectionConfig {
  /** A regular expression for the stack names whose databases and keys must be protected. */
  stackPattern: string;
}
export interface RotationAgeConfig {
  maxAgeDays: number;
}

export const POLICIES = {
  allowlist: {
    name: "allowlist-max-width",
    description: "No IP allowlist block is wider than the stack's minPrefix (default /16).",
    enforcementLevel: "mandatory",
    configSchema: { properties: { minPrefix: { type: "integer", minimum: 0, maximum: 32, default: 16 } } },
  },
  customerKey: {
    name: "customer-key-required",
    description: "Every database on a Private or Shield plan is encrypted with a customer key (encryptionKeyArn).",
    enforcementLevel: "mandatory",
    configSchema: {
      properties: { tiers: { type: "array", items: { type: "string" }, default: ["private", "shield"] } },
    },
  },
  keyRotation: {
    name: "key-rotation-enabled",
    description: "Every CustomerKey rotates automatically, at most maxRotationPeriodDays (default 365) apart.",
    enforcementLevel: "mandatory",
    configSchema: {
      properties: { maxRotationPeriodDays: { type: "integer", minimum: 90, maximum: 2560, default: 365 } },
    },
  },
  externalAccess: {
    name: "external-access-encrypted",
    description:
      "Every database reached from outside Heroku has mTLS (an MtlsConfig) or Enhanced Certificates; " +
      "Standard and Premium databases are always reached from outside.",
    enforcementLevel: "mandatory",
    configSchema: {
      properties: {
        externalDatabases: { type: "array", items: { type: "string" }, default: [] },
        publicTiers: { type: "array", items: { type: "string" }, default: ["essential", "standard", "premium"] },
      },
    },
  },
  readWrite: {
    name: "read-write-apps",
    description: "A read-write credential is attached only to the apps listed in allowedApps.",
    enforcementLevel: "advisory",
    configSchema: { properties: { allowedApps: { type: "array", items: { type: "string" }, default: [] } } },
  },
  protection: {
    name: "protected-in-stacks",
    description: "Databases and customer keys are protected (protect: true) in stacks whose name matches stackPattern.",
    enforcementLevel: "mandatory",
    configSchema: { properties: { stackPattern: { type: "string", default: "^prod" } } },
  },
  rotationAge: {
    name: "credential-rotation-age",
    description:
      "Every Credential's rotationTrigger is the date of its last rotation (YYYY-MM-DD), at most maxAgeDays ago.",
    enforcementLevel: "advisory",
    configSchema: { properties: { maxAgeDays: { type: "integer", minimum: 1, default: 90 } } },
  },
} as const satisfies Record<string, PolicyInfo>;
