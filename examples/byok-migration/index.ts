// Moving an existing, unencrypted database onto a customer key without losing a row, in the three pull requests
// of README.md. `step` stands for how far the team has come: 0 is the database they already have; 1 adds the key
// and a follower encrypted with it; 2 promotes the follower; 3 removes the old database.
import * as pulumi from "@pulumi/pulumi";
import { CustomerKey, SecureDatabase } from "heroku-pg-secure";

const program = async (): Promise<Record<string, unknown>> => {
  const config = new pulumi.Config();
  const step = config.getNumber("step") ?? 0;
  const app = config.get("app") ?? "acme-api";
  const plan = config.get("plan") ?? "heroku-postgresql:private-0";

  // The database the app has used all along, on Heroku's own key. Pull request 2 lifts its protection (its data
  // now lives in the new primary); pull request 3 removes it.
  const old = step < 3 ? new SecureDatabase("orders-db", { app, plan }, { protect: step < 2 }) : undefined;

  if (step < 1) return { primaryAddonName: old?.addonName, oldAddonName: old?.addonName };

  // Pull request 1: the key, and a follower encrypted with it that streams every row of the old database.
  const key = new CustomerKey("orders-key", {
    region: config.get("region") ?? "us-east-1",
    alias: config.get("alias") ?? "alias/orders-db",
    description: "Encrypts the orders database",
  });
  const encrypted = new SecureDatabase(
    "orders-db-encrypted",
    {
      app,
      plan,
      encryptionKeyArn: key.arn,
      // Once promoted, the leader is history: dropping `follow` with the old database changes nothing.
      ...(old ? { follow: old } : {}),
      // Pull request 2: the reviewed switch-over (maintenance on, catch up, DATABASE, unfollow, maintenance off).
      ...(step >= 2 ? { promote: true } : {}),
    },
    { protect: true },
  );
  return {
    keyArn: key.arn,
    oldAddonName: old?.addonName,
    primaryAddonName: step >= 2 ? encrypted.addonName : old?.addonName,
    encryptedAddonName: encrypted.addonName,
    following: encrypted.following,
    behindBy: encrypted.behindBy,
    promoted: encrypted.promoted,
  };
};

export = program;
