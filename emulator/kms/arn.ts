/** Heroku Data's AWS account, which the key policy must allow (Dev Center's BYOK article (docs/heroku-api.md)). */
export const HEROKU_DATA_ACCOUNT_ID = "021876802972";

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
// Key ids are UUIDs; multi-region keys are mrk- plus 32 hex digits (AWS) or plus a UUID (moto).
const KEY_ID = `mrk-[0-9a-f]{32}|mrk-${UUID}|${UUID}`;
const KEY_ARN = new RegExp(`^arn:aws:kms:([a-z]{2}(?:-[a-z]+)+-\\d):(\\d{12}):key/(${KEY_ID})$`);

export interface KeyArn {
  arn: string;
  region: string;
  account: string;
  keyId: string;
  multiRegion: boolean;
}

export function parseKeyArn(arn: string): KeyArn | undefined {
  const m = KEY_ARN.exec(arn);
  if (!m) return undefined;
  const [, region, account, keyId] = m;
  if (region === undefined || account === undefined || keyId === undefined) return undefined;
  return { arn, region, account, keyId, multiRegion: keyId.startsWith("mrk-") };
}
