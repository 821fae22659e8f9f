import { buildKeyPolicy, HEROKU_DATA_ACCOUNT_ID, keyPolicyJson, type PolicyStatement } from "../../../sdk/key-policy";

describe("buildKeyPolicy", () => {
  const policy = buildKeyPolicy({ accountId: "123456789012" });

  it("gives the account root kms:* so the key stays manageable", () => {
    expect(policy.Statement[0]).toEqual({
      Sid: "EnableRootAccountPermissions",
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::123456789012:root" },
      Action: "kms:*",
      Resource: "*",
    });
  });

  it("lets Heroku's account use the key", () => {
    expect(HEROKU_DATA_ACCOUNT_ID).toBe("021876802972");
    expect(policy.Statement[1]).toEqual({
      Sid: "AllowHerokuDataUseOfTheKey",
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::021876802972:root" },
      Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
      Resource: "*",
    });
  });

  it("lets Heroku's account manage grants only for AWS resources", () => {
    expect(policy.Statement[2]).toEqual({
      Sid: "AllowHerokuDataGrantsForAwsResources",
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::021876802972:root" },
      Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
      Resource: "*",
      Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
    });
    expect(policy.Statement).toHaveLength(3);
  });

  it("appends extra statements and honours the partition", () => {
    const extra: PolicyStatement = {
      Sid: "Audit",
      Effect: "Allow",
      Principal: { AWS: "arn:aws-us-gov:iam::123456789012:role/audit" },
      Action: "kms:DescribeKey",
      Resource: "*",
    };
    const p = buildKeyPolicy({ accountId: "123456789012", partition: "aws-us-gov", additionalStatements: [extra] });
    expect(p.Statement[3]).toEqual(extra);
    expect(p.Statement[1]?.Principal).toEqual({ AWS: "arn:aws-us-gov:iam::021876802972:root" });
  });

  it("refuses a malformed account id and reserved statement ids", () => {
    expect(() => buildKeyPolicy({ accountId: "1234" })).toThrow(
      'accountId must be a 12-digit AWS account id, got "1234"',
    );
    expect(() =>
      buildKeyPolicy({
        accountId: "123456789012",
        additionalStatements: [{ Sid: "AllowHerokuDataUseOfTheKey", Effect: "Deny", Action: "kms:*" }],
      }),
    ).toThrow('additional statement Sid "AllowHerokuDataUseOfTheKey" is reserved by the key policy builder');
  });

  it("serializes to the JSON aws.kms.Key's policy takes", () => {
    expect(JSON.parse(keyPolicyJson({ accountId: "123456789012" }))).toEqual(policy);
  });
});
