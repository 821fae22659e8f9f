// The followers e2e test's stack (tests/e2e/followers.test.ts): two customer keys and a leader encrypted with the
// first; config adds a follower (with either key), a credential on the follower, and changes the leader's plan.
import * as pulumi from "@pulumi/pulumi";
import { Credential, CustomerKey, SecureDatabase } from "heroku-pg-secure";

const program = async (): Promise<Record<string, unknown>> => {
  const config = new pulumi.Config();
  const app = "acme-api";
  const keyA = new CustomerKey("key-a", { region: "us-east-1", alias: "alias/followers-a" });
  const keyB = new CustomerKey("key-b", { region: "us-east-1", alias: "alias/followers-b" });
  const leader = new SecureDatabase("leader", {
    app,
    plan: config.get("leaderPlan") ?? "heroku-postgresql:private-0",
    encryptionKeyArn: keyA.arn,
  });
  const followerKey = config.get("followerKey");
  const follower = followerKey
    ? new SecureDatabase("follower", {
        app,
        plan: "heroku-postgresql:private-0",
        follow: leader,
        encryptionKeyArn: followerKey === "b" ? keyB.arn : keyA.arn,
      })
    : undefined;
  if (follower && config.getBoolean("credential")) {
    new Credential("follower-analyst", { database: follower.id, name: "analyst", permissions: "read-only" });
  }
  return {
    keyA: keyA.arn,
    keyB: keyB.arn,
    leaderId: leader.id,
    leaderName: leader.addonName,
    followerName: follower?.addonName,
    following: follower?.following,
    followerConfigVar: follower?.configVarName,
  };
};

export = program;
