/**
 * Heroku space regions and the AWS regions they run in. BYOK keys must live in the database's AWS region
 * (Dev Center's BYOK article (docs/heroku-api.md): "Your CMK must be located in the same region as your Heroku Postgres database").
 */
export const SPACE_REGIONS: Record<string, string> = {
  virginia: "us-east-1",
  oregon: "us-west-2",
  frankfurt: "eu-central-1",
  dublin: "eu-west-1",
  tokyo: "ap-northeast-1",
  sydney: "ap-southeast-2",
  montreal: "ca-central-1",
  mumbai: "ap-south-1",
  singapore: "ap-southeast-1",
  london: "eu-west-2",
};

/** Common Runtime regions. */
export const RUNTIME_REGIONS: Record<string, string> = { us: "us-east-1", eu: "eu-west-1" };

export function awsRegionOf(herokuRegion: string): string | undefined {
  return SPACE_REGIONS[herokuRegion] ?? RUNTIME_REGIONS[herokuRegion];
}

/** Stable made-up ids for region objects, so GET /apps returns the same region id every time. */
export function regionId(name: string): string {
  const hex = Buffer.from(name.padEnd(16, "-")).toString("hex").slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
