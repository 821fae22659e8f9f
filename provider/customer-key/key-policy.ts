/**
 * Pure builder of a KMS key policy that lets Heroku Postgres use a customer-managed key (BYOK). Used by the
 * CustomerKey provider and usable on its own with `aws.kms.Key` from @pulumi/aws:
 *
 *   const id = await aws.getCallerIdentity();
 *   new aws.kms.Key("db", { policy: keyPolicyJson({ accountId: id.accountId }) });
 *
 * @see https://devcenter.heroku.com/articles/encrypting-heroku-postgres-with-your-encryption-key
 */

/** The AWS account of Heroku Data that must be allowed to use the key (Dev Center's BYOK article (docs/heroku-api.md), step 3). */
export const HEROKU_DATA_ACCOUNT_ID = "021876802972";

/** Statement ids this builder owns; extra statements may not reuse them. */
export const ROOT_STATEMENT_SID = "EnableRootAccountPermissions";
export const HEROKU_USE_STATEMENT_SID = "AllowHerokuDataUseOfTheKey";
export const HEROKU_GRANTS_STATEMENT_SID = "AllowHerokuDataGrantsForAwsResources";
export const RESERVED_STATEMENT_SIDS: readonly string[] = [
  ROOT_STATEMENT_SID,
  HEROKU_USE_STATEMENT_SID,
  HEROKU_GRANTS_STATEMENT_SID,
];

/** What Heroku needs to encrypt, decrypt and make data keys (the console's "other AWS account" key users). */
export const HEROKU_KEY_USE_ACTIONS: readonly string[] = [
  "kms:Encrypt",
  "kms:Decrypt",
  "kms:ReEncrypt*",
  "kms:GenerateDataKey*",
  "kms:DescribeKey",
];

/** Grants let AWS services (EBS, S3 backups) use the key on Heroku's behalf; only for AWS resources. */
export const HEROKU_GRANT_ACTIONS: readonly string[] = ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"];

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: "*" | Record<string, string | string[]>;
  NotPrincipal?: Record<string, string | string[]>;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

export interface KeyPolicyDocument {
  Version: "2012-10-17";
  Id: string;
  Statement: PolicyStatement[];
}

export interface KeyPolicyArgs {
  /** The 12-digit AWS account that owns the key; its root gets `kms:*` so the key stays manageable. */
  accountId: string;
  /**
   * The AWS partition of the account, such as `aws-us-gov`.
   * @default "aws"
   */
  partition?: string;
  /** Appended after the three statements this builder writes. */
  additionalStatements?: readonly PolicyStatement[];
}

const ACCOUNT_ID = /^\d{12}$/;

export function buildKeyPolicy(args: KeyPolicyArgs): KeyPolicyDocument {
  if (!ACCOUNT_ID.test(args.accountId)) {
    throw new Error(`accountId must be a 12-digit AWS account id, got ${JSON.stringify(args.accountId)}`);
  }
  const partition = args.partition ?? "aws";
  const heroku = { AWS: `arn:${partition}:iam::${HEROKU_DATA_ACCOUNT_ID}:root` };
  for (const statement of args.additionalStatements ?? []) {
    if (statement.Sid !== undefined && RESERVED_STATEMENT_SIDS.includes(statement.Sid)) {
      throw new Error(
        `additional statement Sid ${JSON.stringify(statement.Sid)} is reserved by the key policy builder`,
      );
    }
  }
  return {
    Version: "2012-10-17",
    Id: "heroku-pg-secure-key-policy",
    Statement: [
      {
        Sid: ROOT_STATEMENT_SID,
        Effect: "Allow",
        Principal: { AWS: `arn:${partition}:iam::${args.accountId}:root` },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: HEROKU_USE_STATEMENT_SID,
        Effect: "Allow",
        Principal: heroku,
        Action: [...HEROKU_KEY_USE_ACTIONS],
        Resource: "*",
      },
      {
        Sid: HEROKU_GRANTS_STATEMENT_SID,
        Effect: "Allow",
        Principal: heroku,
        Action: [...HEROKU_GRANT_ACTIONS],
        Resource: "*",
        Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
      },
      ...(args.additionalStatements ?? []),
    ],
  };
}

/** The policy as the JSON text `aws.kms.Key`'s `policy` and KMS PutKeyPolicy take. */
export function keyPolicyJson(args: KeyPolicyArgs): string {
  return JSON.stringify(buildKeyPolicy(args), null, 2);
}
