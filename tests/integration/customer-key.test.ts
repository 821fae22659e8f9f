import {
  CreateKeyCommand,
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListAliasesCommand,
  ListResourceTagsCommand,
  PutKeyPolicyCommand,
  UpdateKeyDescriptionCommand,
} from "@aws-sdk/client-kms";
import * as hooks from "../../provider/customer-key/hooks";
import type { CustomerKeyInputs, CustomerKeyOutputs } from "../../provider/customer-key/types";
import { buildKeyPolicy } from "../../sdk/key-policy";
import { startMoto, type RunningMoto } from "../support/moto";

jest.setTimeout(60_000);

let moto: RunningMoto;
let kms: KMSClient;

beforeAll(async () => {
  moto = await startMoto();
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_REGION: "us-east-1",
    AWS_ENDPOINT_URL_KMS: moto.endpoint,
  });
  kms = new KMSClient({ region: "us-east-1" });
});
afterAll(async () => {
  kms?.destroy();
  await moto?.stop();
});

/** check, then create, as the engine does. */
async function createKey(
  raw: Record<string, unknown>,
): Promise<{ id: string; outs: CustomerKeyOutputs; inputs: CustomerKeyInputs }> {
  const { inputs, failures } = await hooks.check({}, raw);
  expect(failures).toEqual([]);
  const { id, outs } = await hooks.create(inputs);
  return { id, outs, inputs };
}

describe("CustomerKey against moto", () => {
  let key: { id: string; outs: CustomerKeyOutputs; inputs: CustomerKeyInputs };

  beforeAll(async () => {
    key = await createKey({ alias: "alias/orders-db", description: "orders", tags: { team: "data" } });
  });

  it("creates a symmetric, single-Region key whose policy lets Heroku use it", async () => {
    const { outs, id } = key;
    expect(outs).toMatchObject({
      arn: id,
      region: "us-east-1",
      keyState: "Enabled",
      alias: "alias/orders-db",
      description: "orders",
      enableKeyRotation: true,
      rotationPeriodInDays: 365,
      deletionWindowInDays: 30,
      enabled: true,
      tags: { team: "data" },
    });
    expect(outs.aliasArn).toBe(`arn:aws:kms:us-east-1:${outs.accountId}:alias/orders-db`);
    expect(JSON.parse(outs.policy)).toEqual(buildKeyPolicy({ accountId: outs.accountId }));
    const meta = (await kms.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata;
    expect(meta).toMatchObject({ KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT", MultiRegion: false });
    expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: id }))).KeyRotationEnabled).toBe(true);
  });

  it("reads back without drift", async () => {
    const r = await hooks.read(key.id, key.outs);
    expect(r.id).toBe(key.id);
    expect(r.props).toEqual(key.outs);
    expect((await hooks.diff(key.id, r.props as CustomerKeyOutputs, key.inputs)).changes).toBe(false);
  });

  it("shows out-of-band changes to description and policy as drift", async () => {
    await kms.send(new UpdateKeyDescriptionCommand({ KeyId: key.outs.keyId, Description: "edited by hand" }));
    const policy = buildKeyPolicy({ accountId: key.outs.accountId });
    policy.Statement.splice(1, 2); // Heroku's statements removed
    await kms.send(
      new PutKeyPolicyCommand({ KeyId: key.outs.keyId, PolicyName: "default", Policy: JSON.stringify(policy) }),
    );
    const r = await hooks.read(key.id, key.outs);
    expect(r.props?.description).toBe("edited by hand");
    expect(r.inputs?.description).toBe("edited by hand");
    const d = await hooks.diff(key.id, r.props as CustomerKeyOutputs, key.inputs);
    expect(d).toMatchObject({ changes: true, replaces: [], updates: ["description", "policy"] });
    // The update puts both back.
    const { outs } = await hooks.update(key.id, r.props as CustomerKeyOutputs, key.inputs);
    expect(outs.description).toBe("orders");
    expect(JSON.parse(outs.policy)).toEqual(buildKeyPolicy({ accountId: key.outs.accountId }));
    key.outs = outs;
  });

  it("updates rotation, alias, description and tags in place", async () => {
    const { inputs } = await hooks.check(key.outs, {
      alias: "alias/orders-db-v2",
      description: "orders v2",
      enableKeyRotation: false,
      tags: { team: "platform", env: "prod" },
    });
    const d = await hooks.diff(key.id, key.outs, inputs);
    expect(d.replaces).toEqual([]);
    expect(d.updates).toEqual(["description", "alias", "enableKeyRotation", "rotationPeriodInDays", "tags"]);
    const { outs } = await hooks.update(key.id, key.outs, inputs);
    expect(outs).toMatchObject({
      alias: "alias/orders-db-v2",
      description: "orders v2",
      enableKeyRotation: false,
      tags: { team: "platform", env: "prod" },
    });
    expect(outs.rotationPeriodInDays).toBeUndefined();
    const aliases = (await kms.send(new ListAliasesCommand({ KeyId: key.outs.keyId }))).Aliases?.map(
      (a) => a.AliasName,
    );
    expect(aliases).toEqual(["alias/orders-db-v2"]);
    expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.outs.keyId }))).KeyRotationEnabled).toBe(false);
    const tags = (await kms.send(new ListResourceTagsCommand({ KeyId: key.outs.keyId }))).Tags;
    expect(tags).toEqual(
      expect.arrayContaining([
        { TagKey: "team", TagValue: "platform" },
        { TagKey: "env", TagValue: "prod" },
      ]),
    );
    expect(tags).toHaveLength(2);
    key = { ...key, outs, inputs };
    expect((await hooks.diff(key.id, outs, inputs)).changes).toBe(false);
  });

  it("disables only with the acknowledgement, and enables again", async () => {
    const refused = await hooks.check(key.outs, { ...key.inputs, enabled: false });
    expect(refused.failures.map((f) => [f.property, f.reason.split(/[ :]/)[0]])).toEqual([["", "enabled"]]);
    const { inputs } = await hooks.check(key.outs, {
      ...key.inputs,
      enabled: false,
      acknowledgeDatabaseShutdown: true,
    });
    const disabled = await hooks.update(key.id, key.outs, inputs);
    expect(disabled.outs).toMatchObject({ keyState: "Disabled", enabled: false });
    const enabled = await hooks.update(key.id, disabled.outs, key.inputs);
    expect(enabled.outs).toMatchObject({ keyState: "Enabled", enabled: true });
    key.outs = enabled.outs;
  });

  it("retains the key by default; schedules deletion only when asked (never at once), then counts it as gone", async () => {
    await hooks.delete(key.id, key.outs);
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.outs.keyId }))).KeyMetadata?.KeyState).toBe("Enabled");
    const { inputs } = await hooks.check(key.outs, {
      ...key.inputs,
      deletionWindowInDays: 7,
      removalPolicy: "schedule-deletion",
    });
    const { outs } = await hooks.update(key.id, key.outs, inputs);
    await hooks.delete(key.id, outs);
    const meta = (await kms.send(new DescribeKeyCommand({ KeyId: key.outs.keyId }))).KeyMetadata;
    expect(meta?.KeyState).toBe("PendingDeletion");
    expect((await kms.send(new ListAliasesCommand({ KeyId: key.outs.keyId }))).Aliases ?? []).toEqual([]);
    expect(await hooks.read(key.id, outs)).toEqual({});
    await expect(hooks.delete(key.id, outs)).resolves.toBeUndefined();
  });

  it("treats a key that never existed as gone", async () => {
    const missing = "00000000-0000-4000-8000-000000000000";
    expect(
      await hooks.read(missing, { ...key.outs, keyId: missing, arn: key.outs.arn.replace(key.id, missing) }),
    ).toEqual({});
    await expect(hooks.delete(missing, { ...key.outs, alias: undefined })).resolves.toBeUndefined();
  });
});

describe("CustomerKey adoption", () => {
  it("adopts an existing key without changing it; the update it previews keeps the owner's statements", async () => {
    const existing = (await kms.send(new CreateKeyCommand({ Description: "made by hand" }))).KeyMetadata;
    const keyId = existing?.KeyId ?? "";
    const policyOf = async (): Promise<{ Statement: { Sid?: string }[] }> =>
      JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: "default" }))).Policy ?? "{}");
    const handMade = {
      Version: "2012-10-17",
      Statement: [
        ...(await policyOf()).Statement,
        {
          Sid: "KeyAdmins",
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${existing?.AWSAccountId}:root` },
          Action: "kms:Describe*",
          Resource: "*",
        },
      ],
    };
    await kms.send(new PutKeyPolicyCommand({ KeyId: keyId, PolicyName: "default", Policy: JSON.stringify(handMade) }));
    const { id, outs } = await createKey({ adoptKeyId: existing?.Arn });
    expect(outs.keyId).toBe(keyId);
    expect(id).toBe(outs.arn);
    expect(outs).toMatchObject({ adoptKeyId: existing?.Arn, adopted: true, description: "made by hand" });
    expect(await policyOf()).toEqual(handMade); // adopting changed nothing
    // The next preview shows the policy update (Heroku's statements); applying it keeps KeyAdmins.
    const { inputs } = await hooks.check(outs, { adoptKeyId: existing?.Arn });
    expect((await hooks.diff(id, outs, inputs)).updates).toContain("policy");
    const { outs: updated } = await hooks.update(id, outs, inputs);
    const sids = (await policyOf()).Statement.map((st) => st.Sid);
    expect(sids).toEqual(
      expect.arrayContaining([
        ...buildKeyPolicy({ accountId: updated.accountId }).Statement.map((st) => st.Sid),
        "KeyAdmins",
      ]),
    );
    expect(updated.description).toBe("made by hand");
    // Removing adoptKeyId later changes nothing.
    const { inputs: without } = await hooks.check(updated, {});
    expect((await hooks.diff(id, updated, without)).changes).toBe(false);
  });

  it("refuses a key that does not exist", async () => {
    const { inputs } = await hooks.check({}, { adoptKeyId: "00000000-0000-4000-8000-00000000abcd" });
    await expect(hooks.create(inputs)).rejects.toThrow(
      "creating CustomerKey in us-east-1: adoptKeyId 00000000-0000-4000-8000-00000000abcd does not exist in us-east-1 or is pending deletion; cancel the deletion or pick another key",
    );
  });

  it("refuses a multi-Region key", async () => {
    const mrk = (await kms.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata;
    await expect(hooks.create({ region: "us-east-1", adoptKeyId: mrk?.KeyId ?? "" })).rejects.toThrow(
      /is a multi-Region key/,
    );
  });
});
