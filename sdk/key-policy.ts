// The key policy builder lives with the provider that writes it (provider/customer-key/key-policy.ts); users
// import it from here, e.g. for `aws.kms.Key` from @pulumi/aws (examples/aws-kms-key).
export * from "../provider/customer-key/key-policy";
