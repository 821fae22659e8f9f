import * as pulumi from "@pulumi/pulumi";
import { DYNAMIC_MODULE } from "./type-tokens";
import { resumeKey } from "./resume-key";
import type { ClientCertificateOutput } from "../provider/mtls-config/types";
// Stored in state as a require of the installed package; see provider/shared/thin-provider.ts.
import provider = require("../provider/mtls-config/provider");

export type { ClientCertificateOutput } from "../provider/mtls-config/types";

/** Per-operation wait limits, as durations like "20m" or "1h30m". */
export interface MtlsConfigTimeouts {
  /** @default "15m" (Dev Center: enabling typically takes 5-10 minutes) */
  create?: string;
  /** @default "10m" */
  update?: string;
  /** Not used: delete returns as soon as Heroku answers that it is removing the endpoint. */
  delete?: string;
}

/** Arguments of an {@link MtlsConfig}. */
export interface MtlsConfigArgs {
  /**
   * The Private or Shield Postgres add-on (name or id) to put behind mutual TLS. It must not have Enhanced
   * Certificates. Changing this replaces the resource.
   * @see https://devcenter.heroku.com/articles/connecting-heroku-postgres#connecting-from-external-resources
   */
  database: pulumi.Input<string>;
  /**
   * One name per consumer (letters, digits, "-" and "_", at most 50; 1 to 20 names). Enabling mTLS makes one
   * certificate, which takes the first name; adding a name creates a certificate and removing one revokes it
   * (clients using it are cut off), in place.
   */
  certificateNames: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Manage mTLS that is already enabled on the database instead of enabling it; its existing certificates,
   * oldest first, take the first names. Only the create reads it: once adopted, changing or removing it changes
   * nothing.
   * @default false
   */
  adoptExisting?: pulumi.Input<boolean>;
  /**
   * Whether create waits until the endpoint is Operational. With false it returns once mTLS is enabled and the
   * certificates are ready (minutes earlier: Dev Center says enabling typically takes 5-10 minutes), so an
   * {@link IpAllowlist} that depends on it posts its rules while the endpoint provisions, and waits for both
   * together: nobody connects before the allowlist is usable anyway. SecurePostgres does this. Only the create
   * reads it.
   * @default true
   */
  waitForOperational?: pulumi.Input<boolean>;
  /**
   * How long create, update and delete wait for Heroku (Pulumi's customTimeouts do not reach this resource).
   * @default { create: "15m", update: "10m" }
   */
  timeouts?: pulumi.Input<MtlsConfigTimeouts>;
}

/**
 * Mutual TLS on a Private or Shield Heroku Postgres database, with named client certificates. Once Operational
 * the database accepts only TLS connections presenting one of its client certificates, from an address allowed
 * by an {@link IpRule}.
 */
export class MtlsConfig extends pulumi.dynamic.Resource {
  /** The database, as given. */
  declare readonly database: pulumi.Output<string>;
  /** The certificate names, as given. */
  declare readonly certificateNames: pulumi.Output<string[]>;
  /**
   * The endpoint's status when create last looked: `Operational`, or with waitForOperational: false the
   * `Provisioning` it returned at (the IpAllowlist's mtlsStatus says when it is usable; `pulumi refresh` updates
   * this).
   */
  declare readonly status: pulumi.Output<string>;
  /** The email of the user who enabled mTLS. */
  declare readonly enabledBy: pulumi.Output<string | undefined>;
  /** The server's CA chain (PEM): what clients verify the server with, the CLI's `root.crt` (sslrootcert). */
  declare readonly certificateAuthorityChain: pulumi.Output<string>;
  /**
   * Secret. Per certificate name: id, status, createdAt, expiresAt (ISO-8601), certificateWithChain (sslcert),
   * privateKey (PEM, sslkey), privateKeyPkcs8DerBase64 (for JDBC) and, after Heroku renewed it 75 days before
   * expiry, previousCertificateId. `pulumi refresh` picks up renewals.
   */
  declare readonly certificates: pulumi.Output<Record<string, ClientCertificateOutput>>;

  constructor(name: string, args: MtlsConfigArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      {
        adoptExisting: undefined,
        waitForOperational: undefined,
        ...args,
        resumeKey: resumeKey("MtlsConfig", name),
        status: undefined,
        enabledBy: undefined,
        certificateAuthorityChain: undefined,
        certificates: undefined,
      },
      // A database has one mTLS endpoint: a replacement (also `pulumi up --replace`) disables the old one first
      // unless the program says otherwise.
      pulumi.mergeOptions({ deleteBeforeReplace: true, ...opts }, { additionalSecretOutputs: ["certificates"] }),
      DYNAMIC_MODULE,
      "MtlsConfig",
    );
  }
}
