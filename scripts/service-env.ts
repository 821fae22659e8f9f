/** Where the local services answer: the emulator (Heroku's Platform and Data APIs) and moto (AWS KMS). */
export interface LocalServices {
  token: string;
  /** The address the provider calls for both APIs. */
  apiUrl: string;
  /** The emulator's HTTPS address, for child processes that want TLS when `apiUrl` is plain HTTP. */
  httpsUrl?: string;
  caCertPath: string;
  kmsEndpoint: string;
}

/** The environment a Pulumi program (and its dynamic providers) needs to reach the local services. */
export function localServiceEnv(s: LocalServices): Record<string, string> {
  return {
    HEROKU_API_KEY: s.token,
    HEROKU_API_URL: s.apiUrl,
    HEROKU_DATA_API_URL: s.apiUrl,
    ...(s.httpsUrl ? { HPS_EMULATOR_HTTPS_URL: s.httpsUrl } : {}),
    NODE_EXTRA_CA_CERTS: s.caCertPath,
    // moto accepts any credentials; the region is the one the emulator's seeded spaces use.
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_REGION: "us-east-1",
    AWS_ENDPOINT_URL_KMS: s.kmsEndpoint,
  };
}
