import type { Timeouts } from "../shared/timeouts";

/** The plain inputs the provider receives (sdk/secure-database.ts has the documented pulumi.Input version). */
export interface SecureDatabaseInputs {
  /** Set by the sdk class (sdk/resume-key.ts): lets `create` recognise what an interrupted run made. */
  resumeKey?: string;
  app: string;
  plan: string;
  encryptionKeyArn?: string;
  /**
   * The AWS region of the key, for the region check at preview while encryptionKeyArn is not known yet (a key made
   * in the same run); SecurePostgres sets it. Only checks read it.
   */
  encryptionKeyRegion?: string;
  enhancedCertificates?: boolean;
  postgresVersion?: string;
  name?: string;
  attachmentName?: string;
  adoptAddonId?: string;
  /** The leader (add-on id or name) this database is made to follow; only the create and promotion read it. */
  follow?: string;
  /** Makes a follower the app's primary database (promotion.ts); once done, removing it changes nothing. */
  promote?: boolean;
  timeouts?: Timeouts;
}

/** Everything stored in state: the inputs and what Heroku reports. */
export interface SecureDatabaseOutputs extends SecureDatabaseInputs {
  addonId: string;
  addonName: string;
  state: string;
  /** The Heroku region of the database (the app's space region), e.g. "virginia". */
  region: string;
  /** Secret: listed in additionalSecretOutputs by the resource class. */
  connectionUrl: string;
  enhancedCertificatesStatus: string;
  configVarName: string;
  /** Absent while Heroku serves the database; otherwise why not and what to do (availability.ts). */
  availability?: string;
  /** The leader, as Heroku's "Following" row names it, while the database follows one. */
  following?: string;
  /** Heroku's "Behind By" row while the database follows, such as "0 commits". */
  behindBy?: string;
  /** Set once a promotion of this resource finished; it stays set (a database never follows again). */
  promoted?: boolean;
}
