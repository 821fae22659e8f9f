// Adopting what exists changes nothing (issue 19), through the real CLI: a setup made by hand with the APIs'
// own clients (Heroku's API, the AWS SDK against moto, SQL as the owner) is adopted with plain resources and,
// separately, with one SecurePostgres. The adopting `up` makes no call that changes anything at Heroku, leaves the
// key's policy, description, tags and rotation and every grant as they were, and an open session survives; the
// next preview shows each difference from the declaration; removing the adoption inputs changes nothing.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  CreateKeyCommand,
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListResourceTagsCommand,
  PutKeyPolicyCommand,
} from "@aws-sdk/client-kms";
import { Client } from "pg";
import { buildKeyPolicy } from "../../sdk/key-policy";
import { api, libpq, pollUntil, provisioned } from "../emulator/helpers";
import { runStack, type StackOptions, stepsOf } from "../support/pulumi";
import { startServices, type Services } from "../support/services";
import { controlJson, mutatingRequests, startOver } from "./emulator-client";
import { stackOptions, testProgram } from "./fixture";

jest.setTimeout(30 * 60_000);

let s: Services;
let workDir: string;
let kms: KMSClient;

interface HandMade {
  keyId: string;
  addon: string;
  rules: Record<string, string>;
  ownerUrl: string;
  cert: { cert: string; key: string; ca: string };
}

async function handMade(): Promise<HandMade> {
  const base = s.emulator.url;
  const made = await kms.send(
    new CreateKeyCommand({
      Description: "console key",
      Tags: [
        { TagKey: "team", TagValue: "data" },
        { TagKey: "env", TagValue: "prod" },
      ],
    }),
  );
  const meta = made.KeyMetadata!;
  const policy = buildKeyPolicy({ accountId: meta.AWSAccountId! });
  policy.Statement.push({
    Sid: "KeyAdmins",
    Effect: "Allow",
    Principal: { AWS: `arn:aws:iam::${meta.AWSAccountId}:role/KeyAdmins` },
    Action: ["kms:Describe*", "kms:Put*", "kms:Enable*", "kms:Disable*"],
    Resource: "*",
  });
  await kms.send(new PutKeyPolicyCommand({ KeyId: meta.KeyId, PolicyName: "default", Policy: JSON.stringify(policy) }));
  const { addon, vars } = await provisioned(base, "acme-api", {
    plan: { name: "heroku-postgresql:private-0" },
    config: { "encryption-key": meta.Arn },
  });
  const ownerUrl = vars.DATABASE_URL!;
  const db = `/postgres/v0/databases/${addon.name}`;
  await api(base, "POST", `${db}/credentials`, { body: { name: "analyst" } });
  await pollUntil(
    async () => (await api<{ state: string }>(base, "GET", `${db}/credentials/analyst`)).json.state,
    (state) => state === "active",
  );
  const owner = new Client({ connectionString: libpq(ownerUrl) });
  await owner.connect();
  for (const sql of [
    "CREATE TABLE public.orders (id int)",
    "CREATE SCHEMA reports",
    "CREATE TABLE reports.totals (n int)",
    "GRANT USAGE ON SCHEMA public TO analyst",
    "GRANT SELECT ON ALL TABLES IN SCHEMA public TO analyst",
    "GRANT USAGE ON SCHEMA reports TO analyst",
    "GRANT SELECT ON reports.totals TO analyst",
  ])
    await owner.query(sql);
  await owner.end();
  await api(base, "POST", "/addon-attachments", {
    body: {
      addon: { name: addon.name },
      app: { name: "acme-reports" },
      namespace: "credential:analyst",
      name: "ANALYST_DB",
    },
  });
  await api(base, "POST", `${db}/tls-endpoint`);
  const endpoint = await pollUntil(
    async () =>
      (await api<{ status: string; certificate_authority_chain: string }>(base, "GET", `${db}/tls-endpoint`)).json,
    (e) => e?.status === "Operational",
  );
  const rules: Record<string, string> = {};
  for (const [cidr, description] of [
    ["127.0.0.1/32", "runner"],
    ["203.0.113.0/24", "office"],
  ] as const) {
    const r = await api<{ id: string }>(base, "POST", `${db}/tls-endpoint/ip-rules`, { body: { cidr, description } });
    rules[cidr] = r.json.id;
  }
  await pollUntil(
    async () => (await api<{ status: string }[]>(base, "GET", `${db}/tls-endpoint/ip-rules`)).json,
    (list) => list.every((r) => r.status === "Authorized"),
  );
  const [listed] = (await api<{ id: string }[]>(base, "GET", `${db}/tls-endpoint/certificates`)).json;
  const full = await pollUntil(
    async () =>
      (
        await api<{ status: string; private_key: string; certificate_with_chain: string }>(
          base,
          "GET",
          `${db}/tls-endpoint/certificates/${listed!.id}`,
        )
      ).json,
    (c) => c.status === "ready",
  );
  return {
    keyId: meta.KeyId!,
    addon: addon.name,
    rules,
    ownerUrl,
    cert: { cert: full.certificate_with_chain, key: full.private_key, ca: endpoint.certificate_authority_chain },
  };
}

/** An mTLS session as a client of the database: the credential's own user and password, a client certificate. */
async function session(addon: string, user: string, cert: HandMade["cert"]): Promise<Client> {
  const c = (
    await api<{
      host: string;
      port: number;
      database: string;
      credentials: { user: string; password: string; state: string }[];
    }>(s.emulator.url, "GET", `/postgres/v0/databases/${addon}/credentials/${user}`)
  ).json;
  const active = c.credentials.find((u) => u.state === "active")!;
  const client = new Client({
    host: c.host,
    port: Number(c.port),
    database: c.database,
    user: active.user,
    password: active.password,
    ssl: { ...cert, rejectUnauthorized: true, checkServerIdentity: () => undefined },
  });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

/** KMS's own record of the key, and PostgreSQL's of the analyst's privileges, and the analyst's password. */
async function reality(h: HandMade, owner: Client): Promise<unknown> {
  const KeyId = h.keyId;
  const grants = await owner.query(
    `SELECT table_schema, table_name, privilege_type FROM information_schema.role_table_grants
      WHERE grantee = 'analyst' ORDER BY 1, 2, 3`,
  );
  const schemas = await owner.query(
    "SELECT nspname, nspacl::text AS acl FROM pg_namespace WHERE nspname IN ('public', 'reports') ORDER BY 1",
  );
  const credential = (
    await api<{ uuid: string; credentials: { password: string }[] }>(
      s.emulator.url,
      "GET",
      `/postgres/v0/databases/${h.addon}/credentials/analyst`,
    )
  ).json;
  const vars = (await api<Record<string, string>>(s.emulator.url, "GET", "/apps/acme-reports/config-vars")).json;
  return {
    policy: JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId, PolicyName: "default" }))).Policy ?? "{}"),
    description: (await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata?.Description,
    tags: (await kms.send(new ListResourceTagsCommand({ KeyId }))).Tags,
    rotation: (await kms.send(new GetKeyRotationStatusCommand({ KeyId }))).KeyRotationEnabled,
    grants: grants.rows,
    schemas: schemas.rows,
    credential,
    attachment: Object.keys(vars).filter((k) => k.startsWith("ANALYST")),
  };
}

function stack(mode: string, ids: HandMade, drop = false): StackOptions {
  return stackOptions(testProgram("adoption", "hps-adoption"), { workDir, env: s.env }, mode, {
    config: {
      mode,
      ids: JSON.stringify({ keyId: ids.keyId, addon: ids.addon, rules: ids.rules }),
      ...(drop ? { drop: "true" } : {}),
    },
    resetConfig: true,
  });
}

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "hps-e2e-adoption-"));
  s = await startServices();
  kms = new KMSClient({
    region: "us-east-1",
    endpoint: s.env.AWS_ENDPOINT_URL_KMS,
    credentials: { accessKeyId: s.env.AWS_ACCESS_KEY_ID ?? "", secretAccessKey: s.env.AWS_SECRET_ACCESS_KEY ?? "" },
  });
});
afterAll(async () => {
  await s?.stop();
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

test.each([
  [
    "plain",
    {
      key: "adopt-key",
      mtls: "adopt-mtls",
      // IpRule has no update API: a delete-first replacement of that one rule.
      office: "replace adopt-rule-office",
      credential: "adopt-analyst",
      quiet: ["adopt-db", "adopt-rule-runner"],
    },
  ],
  [
    "component",
    {
      key: "adopted-key",
      mtls: "adopted-mtls",
      // One allowlist holds both rules: an update that deletes and re-posts the office rule alone.
      office: "update adopted-allowlist",
      credential: "adopted-credential-analyst",
      quiet: ["adopted-db"],
    },
  ],
])(
  "a hand-made setup adopted as %s resources: nothing changes, the next preview shows each difference",
  async (mode, names) => {
    await startOver(s);
    const h = await handMade();
    const owner = await session(h.addon, "default", h.cert);
    const analyst = await session(h.addon, "analyst", h.cert);
    const before = await reality(h, owner);

    await controlJson(s, "DELETE", "/requests");
    const adopted = await runStack("up", stack(mode, h));
    expect(adopted.error).toBeUndefined();
    expect(await mutatingRequests(s)).toEqual([]);
    expect(await reality(h, owner)).toEqual(before);
    expect((await analyst.query("SELECT count(*) FROM reports.totals")).rows).toEqual([{ count: "0" }]);

    // The differences, as a reviewer reads them: rotation off on the key, a certificate to add, the office rule's
    // description (no update API: the rule is deleted and made again), the credential's attachment name and extra
    // schema.
    const preview = await runStack("preview", stack(mode, h));
    expect(preview.error).toBeUndefined();
    const planned = stepsOf(preview);
    expect(planned).toEqual(
      expect.arrayContaining([
        `update ${names.key}`,
        `update ${names.mtls}`,
        `update ${names.credential}`,
        names.office,
      ]),
    );
    for (const quiet of names.quiet) expect(planned.filter((p) => p.endsWith(` ${quiet}`))).toEqual([]);

    // Removing every adoption input changes nothing beyond those same differences.
    const dropped = await runStack("preview", stack(mode, h, true));
    expect(dropped.error).toBeUndefined();
    expect(stepsOf(dropped)).toEqual(planned);

    await analyst.end();
    await owner.end();
    const destroyed = await runStack("destroy", stack(mode, h, true));
    expect(destroyed.error).toBeUndefined();
    expect((await kms.send(new DescribeKeyCommand({ KeyId: h.keyId }))).KeyMetadata?.KeyState).toBe("Enabled");
  },
);
