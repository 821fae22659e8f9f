/** Key ARNs, parsed in one place for every resource (no SDK import: validation uses it at preview). */

// arn:partition:kms:region:account:key/id  (AWS KMS developer guide, "Key ARN").
export const KEY_ARN_PATTERN = /^arn:(aws|aws-cn|aws-us-gov):kms:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):key\/(.+)$/;

export interface ParsedKeyArn {
  partition: string;
  region: string;
  accountId: string;
  keyId: string;
}

export function parseKeyArn(arn: string): ParsedKeyArn | undefined {
  const m = KEY_ARN_PATTERN.exec(arn);
  if (!m) return undefined;
  const [, partition, region, accountId, keyId] = m;
  if (!partition || !region || !accountId || !keyId) return undefined;
  return { partition, region, accountId, keyId };
}
