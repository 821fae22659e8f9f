/**
 * Heroku region names of Private and Shield Spaces and the AWS region each runs in. A BYOK key must live in the
 * same AWS region as the database (Dev Center's BYOK article (docs/heroku-api.md), "Your CMK must be located in the same region as your Heroku Postgres
 * database"). Common Runtime regions `us` and `eu` are listed too, though BYOK needs a space.
 */
export const HEROKU_TO_AWS_REGION: Readonly<Record<string, string>> = {
  virginia: "us-east-1",
  oregon: "us-west-2",
  frankfurt: "eu-central-1",
  dublin: "eu-west-1",
  london: "eu-west-2",
  tokyo: "ap-northeast-1",
  sydney: "ap-southeast-2",
  singapore: "ap-southeast-1",
  mumbai: "ap-south-1",
  montreal: "ca-central-1",
  us: "us-east-1",
  eu: "eu-west-1",
};

export function awsRegionOf(herokuRegion: string): string | undefined {
  return HEROKU_TO_AWS_REGION[herokuRegion];
}
