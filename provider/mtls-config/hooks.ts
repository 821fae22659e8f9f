import { getDatabase, infoRow } from "../heroku/databases";
import { getAccount } from "../heroku/apps";
import { found, HerokuApiError, isNotFound, onNotFound } from "../heroku/errors";
import {
  type ClientCertificate,
  createCertificate,
  deleteCertificate,
  disableMtls,
  enableMtls,
  getCertificate,
  getMtls,
  listCertificates,
  listIpRules,
  type MtlsEndpoint,
  readMtlsStatus,
} from "../heroku/mtls";
import { parseHerokuTimestamp, parseOptionalTimestamp } from "../heroku/timestamps";
import { deprovisioning, refusedBeforeOperational, waitMtlsGone, waitMtlsOperational } from "../heroku/mtls-waits";
import { waitFor } from "../heroku/waiter";
import { Deadline } from "../shared/deadline";
import { absentProblem, asReported, type CheckFailure } from "../shared/check";
import { declaredSetting, declareSetting, ENHANCED_CERTIFICATES_SETTING, MTLS_SETTING } from "../shared/declared";
import { databaseFacts } from "../heroku/facts";
import { containsUnknown } from "../shared/unknown";
import { claim, claimedBy, identityOf, keptMessage } from "../shared/claims";
import { databaseIdentityFor, databaseKeys, resolveDatabase, sameDatabase } from "../shared/database-ref";
import { inputsOf, type TableDiff } from "../shared/diff-table";
import { ProviderError, withContext } from "../shared/errors";
import { createReadingBack, RESUME_WINDOW_FACTOR, withinResumeWindow } from "../shared/resume";
import { timeoutMs } from "../shared/timeouts";
import { normalizePemChain, privateKeyToPkcs8DerBase64, renewalDueAt } from "./certificates";
import { diffMtlsConfig, MTLS_CONFIG_DIFF_TABLE, planCertificateChanges } from "./diff-table";
import type { ClientCertificateOutput, MtlsConfigInputs, MtlsConfigOutputs } from "./types";
import { checkMtlsDatabase, validateMtlsConfig } from "./validation";

/**
 * MtlsConfig: mTLS on a Private/Shield database and its named client certificates (Dev Center's mTLS article (docs/heroku-api.md); docs/heroku-api.md 1.1,
 * 1.2). Enabling makes one certificate, which takes the first name; adding a name creates a certificate and
 * removing one revokes it, in place.
 */

/** docs/heroku-api.md 1.4: HX waits 10 minutes for each of these; Dev Center says enabling takes 5-10 minutes. */
export const DEFAULT_CREATE_TIMEOUT_MS = 15 * 60_000;
export const DEFAULT_UPDATE_TIMEOUT_MS = 10 * 60_000;

export async function check(
  olds: Record<string, unknown> | undefined,
  news: Record<string, unknown>,
): Promise<{ inputs: MtlsConfigInputs; failures: CheckFailure[] }> {
  const checked = validateMtlsConfig(news);
  if (checked.failures.length > 0) return { ...checked, failures: asReported(checked.failures) };
  const inputs = { ...checked.inputs, ...(await databaseIdentityFor(olds, news)) };
  return { inputs, failures: asReported(await checkWithHeroku(olds, inputs)) };
}

/**
 * At preview, for a database that already exists: its plan allows mTLS and it has no Enhanced Certificates (or a
 * SecureDatabase of this run turns them off first). Looked up only when the database is new to this resource.
 */
async function checkWithHeroku(
  olds: Record<string, unknown> | undefined,
  inputs: MtlsConfigInputs,
): Promise<CheckFailure[]> {
  const side = inputs as unknown as Record<string, unknown>;
  if (containsUnknown(inputs.database)) return [];
  // IP rules of this run on the database need no mTLS at Heroku yet: this resource enables it first.
  declareSetting(databaseKeys(side), MTLS_SETTING, true);
  if (olds && sameDatabase(olds, side)) return [];
  const facts = await databaseFacts(inputs.database);
  if (facts.kind === "absent") {
    return [{ property: "database", reason: absentProblem("database", "database", inputs.database, facts.status) }];
  }
  if (facts.kind !== "found") return [];
  const declared = declaredSetting(databaseKeys(side), ENHANCED_CERTIFICATES_SETTING);
  return checkMtlsDatabase({
    database: inputs.database,
    plan: facts.value.plan,
    enhancedCertificates:
      declared === undefined ? facts.value.enhancedCertificates : declared === true ? "Enabled" : "Disabled",
  });
}

export async function diff(_id: string, olds: MtlsConfigOutputs, news: MtlsConfigInputs): Promise<TableDiff> {
  return diffMtlsConfig(olds as unknown as Record<string, unknown>, news as unknown as Record<string, unknown>);
}

export async function create(inputs: MtlsConfigInputs): Promise<{ id: string; outs: MtlsConfigOutputs }> {
  return withContext(`creating MtlsConfig on database ${inputs.database}`, async () => {
    const createTimeout = timeoutMs(inputs.timeouts, "create", DEFAULT_CREATE_TIMEOUT_MS);
    const deadline = Deadline.after(createTimeout);
    const hint = `Raise timeouts.create and run pulumi up again, which resumes it (heroku data:mtls ${inputs.database} shows progress).`;
    inputs = { ...inputs, ...(await resolveDatabase(inputs.database)) };
    const enabled = inputs.adoptExisting
      ? { tookOver: true, endpoint: await getMtls(inputs.database) }
      : await enableOnce(inputs.database, createTimeout, deadline);
    if (enabled.tookOver) claim(`MtlsConfig (${inputs.resumeKey ?? "adopted"})`, ...mtlsIdentities(inputs));
    const early = inputs.waitForOperational === false && !inputs.adoptExisting;
    if (early) {
      return { id: inputs.database, outs: await createWhileProvisioning(inputs, enabled.endpoint, deadline, hint) };
    }
    const endpoint = await waitMtlsOperational(inputs.database, deadline, hint);
    // The certificate made by enabling (or, when adopting, those already there, oldest first) take the first names.
    const existing = (await listCertificates(inputs.database)).filter(isLive).sort(oldestFirst);
    const ids: Record<string, string> = {};
    const names = unique(inputs.certificateNames);
    names.forEach((name, i) => {
      const cert = existing[i];
      if (cert) ids[name] = cert.id;
    });
    if (inputs.adoptExisting) {
      // Adoption is a read-only takeover: no certificate is made or revoked. The state records the names that
      // existing certificates took, so the next preview shows the rest as an update that adds them.
      const certificates = await materialise(inputs.database, ids, {}, undefined, hint);
      const recorded = { ...inputs, certificateNames: names.filter((n) => ids[n] !== undefined) };
      return { id: inputs.database, outs: outputs(recorded, endpoint, certificates) };
    }
    for (const name of names) ids[name] ??= (await createOnce(inputs.database)).id;
    const certificates = await materialise(inputs.database, ids, {}, deadline, hint);
    return { id: inputs.database, outs: outputs(inputs, endpoint, certificates) };
  });
}

/**
 * waitForOperational: false. The certificate enabling makes takes the first name as soon as it is listed, further
 * ones are made at once, and create returns when they are ready, while the endpoint may still be provisioning:
 * the allowlist that depends on it posts its rules meanwhile and waits for the endpoint itself
 * (heroku/mtls-waits.ts waitRulesUsable). Should Heroku refuse a certificate before the endpoint is Operational,
 * the create waits for it and asks again.
 */
async function createWhileProvisioning(
  inputs: MtlsConfigInputs,
  enabled: MtlsEndpoint,
  deadline: Deadline,
  hint: string,
): Promise<MtlsConfigOutputs> {
  const db = inputs.database;
  const names = unique(inputs.certificateNames);
  // Enabling makes one certificate (docs/heroku-api.md 1.1); until it is listed, or the endpoint is Operational
  // without it, the first name waits for it rather than making a second one.
  const first = await waitFor({
    what: `the client certificate enabling mTLS makes on database ${db}`,
    target: "listed",
    ...deadline.bounds(),
    poll: async () => {
      const live = (await listCertificates(db)).filter(isLive).sort(oldestFirst);
      if (live.length > 0) return { live, operational: false };
      const m = await readMtlsStatus(db);
      return { live, operational: m !== "gone" && m.status === "Operational" };
    },
    statusOf: ({ live }) => `${live.length} listed`,
    isDone: ({ live, operational }) => live.length > 0 || operational,
    hint,
  });
  const ids: Record<string, string> = {};
  names.forEach((name, i) => {
    const cert = first.live[i];
    if (cert) ids[name] = cert.id;
  });
  const seen = new Map(first.live.map((c) => [c.id, c] as const));
  for (const name of names) {
    if (ids[name]) continue;
    const made = await createOnce(db).catch(async (err: unknown) => {
      if (!refusedBeforeOperational(err)) throw err;
      const m = await readMtlsStatus(db);
      if (m === "gone" || m.status !== "Provisioning") throw err;
      await waitMtlsOperational(db, deadline, hint);
      return createOnce(db);
    });
    ids[name] = made.id;
    seen.set(made.id, made);
  }
  const certificates = await materialise(db, ids, {}, deadline, hint, seen);
  // Enabling answered with the endpoint (docs/heroku-api.md 1.1: status, enabled_by, the CA chain); the status
  // it stores is Provisioning, which the allowlist waits past.
  return outputs(inputs, enabled, certificates);
}

export async function read(
  id: string,
  props: MtlsConfigOutputs,
): Promise<{ id?: string; props?: MtlsConfigOutputs; inputs?: MtlsConfigInputs }> {
  return withContext(`reading MtlsConfig on database ${props.database}`, async () => {
    const endpoint = await getMtls(props.database).catch(onNotFound(undefined));
    // Being removed (a delete returns as Heroku starts removing it) is as good as gone: the next up enables it again.
    if (!endpoint || endpoint.status === "Deprovisioning") return {};
    const listed = await listCertificates(props.database);
    const live = new Map(listed.filter(isLive).map((c) => [c.id, c] as const));
    const claimed = new Set(Object.values(props.certificates ?? {}).map((c) => c.id));
    const certificates: Record<string, ClientCertificateOutput> = {};
    for (const [name, stored] of Object.entries(props.certificates ?? {})) {
      if (!live.has(stored.id)) continue; // revoked out of band: the name drops out and `up` makes a new one
      const successor = stored.expiresAt ? renewalOf(stored.expiresAt, live, claimed) : undefined;
      if (successor) {
        claimed.add(successor.id);
        const [renewed] = Object.values(await materialise(props.database, { [name]: successor.id }, {}, undefined, ""));
        if (renewed) certificates[name] = { ...renewed, previousCertificateId: stored.id };
        continue;
      }
      const [current] = Object.values(await materialise(props.database, { [name]: stored.id }, {}, undefined, ""));
      if (current) certificates[name] = { ...current, ...keepPrevious(stored) };
    }
    const names = props.certificateNames.filter((n) => certificates[n] !== undefined);
    const outs = outputs({ ...props, certificateNames: names }, endpoint, certificates);
    return { id, props: outs, inputs: inputsOf<MtlsConfigInputs>(MTLS_CONFIG_DIFF_TABLE, outs) };
  });
}

/** Adds certificates for new names and revokes those of removed names (docs/heroku-api.md 1.2). */
export async function update(
  id: string,
  olds: MtlsConfigOutputs,
  news: MtlsConfigInputs,
): Promise<{ outs: MtlsConfigOutputs }> {
  return withContext(`updating MtlsConfig on database ${olds.database}`, async () => {
    const deadline = Deadline.after(timeoutMs(news.timeouts, "update", DEFAULT_UPDATE_TIMEOUT_MS));
    const hint = `Raise timeouts.update and run pulumi up again (heroku data:mtls:certificates ${olds.database} shows them).`;
    const { toCreate, toRevoke } = planCertificateChanges(olds.certificateNames, news.certificateNames);
    const kept: Record<string, ClientCertificateOutput> = {};
    for (const [name, cert] of Object.entries(olds.certificates ?? {})) {
      if (!toRevoke.includes(name)) kept[name] = cert;
    }
    for (const name of toRevoke) {
      const cert = olds.certificates?.[name];
      if (cert) await revoke(olds.database, cert.id, deadline, hint);
    }
    const ids: Record<string, string> = {};
    const leftovers = toCreate.length > 0 ? await unclaimedCertificates(olds.database, kept) : [];
    for (const name of toCreate) ids[name] = leftovers.shift()?.id ?? (await createOnce(olds.database)).id;
    const created = await materialise(olds.database, ids, {}, deadline, hint);
    const endpoint = await getMtls(id);
    return { outs: outputs(news, endpoint, { ...kept, ...created }) };
  });
}

/** DELETE, answered with Deprovisioning; a 404 at once means already gone. */
export async function remove(id: string, props: MtlsConfigOutputs): Promise<void> {
  await withContext(`deleting MtlsConfig on database ${props.database}`, async () => {
    const holder = claimedBy(...mtlsIdentities(props));
    if (holder) {
      process.stderr.write(keptMessage(`mTLS on database ${props.database}`, holder));
      return;
    }
    // Disabling mTLS removes the database's whole allowlist. Pulumi deletes IpRules that depend on this resource
    // before it, so rules still there belong to resources that stay (a replacement of this resource alone, or its
    // removal while the rules remain): refuse rather than remove access they hold.
    const rules = await listIpRules(props.database).catch(onNotFound([]));
    if (rules.length > 0) {
      throw new ProviderError(
        `mTLS on database ${props.database} still allows ${rules.map((r) => `${r.cidr} (rule ${r.id})`).join(", ")}; ` +
          `disabling it would remove those rules, which other resources may hold. Delete or replace those IpRules ` +
          `first (remove them from the program, or make them depend on this MtlsConfig); nothing was changed`,
      );
    }
    // Heroku answers 202 Deprovisioning (docs/heroku-api.md 1.1) and takes as long to remove the endpoint as to
    // make it. The endpoint keeps refusing whom it refused until it is gone, so nothing opens meanwhile: the
    // delete returns once the removal is accepted, and whatever needs the endpoint gone (enabling mTLS again,
    // Enhanced Certificates) waits for that itself (heroku/mtls-waits.ts waitMtlsGone).
    await found(disableMtls(props.database));
  });
}
export { remove as delete };

/**
 * Checks the database's plan and Enhanced Certificates before enabling (nothing is made when they forbid it).
 * POST is not idempotent: after an ambiguous failure a tls-endpoint that now exists is ours, and the POST is
 * repeated only when there is none (shared/resume.ts). Returns the endpoint (as enabling answered it, or as it was
 * found) and whether it took over one that was there.
 */
async function enableOnce(
  database: string,
  createTimeoutMs: number,
  deadline: Deadline,
  retryAfterRemoval = true,
): Promise<{ tookOver: boolean; endpoint: MtlsEndpoint }> {
  // Not the shared read: Enhanced Certificates may have been switched off earlier in this very run.
  const info = await getDatabase(database);
  const failures = checkMtlsDatabase({
    database,
    plan: info.plan?.name ?? "",
    enhancedCertificates: infoRow(info, "Enhanced Certificates")?.[0],
  });
  if (failures.length > 0) throw new ProviderError(failures.map((f) => f.reason).join("; "));
  try {
    const endpoint = await createReadingBack({
      what: `mTLS endpoint of database ${database}`,
      post: () => enableMtls(database),
      readBack: async () => {
        const found = await getMtls(database).catch(goneOnNotFound);
        return found === "gone" ? undefined : found;
      },
    });
    return { tookOver: false, endpoint };
  } catch (err) {
    if (!(err instanceof HerokuApiError && err.status === 422)) throw err;
    const existing = await readMtlsStatus(database);
    // A delete (this resource's replacement, or a destroy just before) returns while Heroku removes the
    // endpoint; enabling again waits until it is gone (it may be gone by this read already), then asks once more.
    if (existing === "gone" || deprovisioning(existing)) {
      if (!retryAfterRemoval) throw err;
      await waitMtlsGone(database, deadline, `Raise timeouts.create and run pulumi up again.`);
      return enableOnce(database, createTimeoutMs, deadline, false);
    }
    const used = await signsOfUse(database, existing, createTimeoutMs);
    if (!used) return { tookOver: true, endpoint: existing };
    throw new ProviderError(
      `mTLS is already ${existing.status} on database ${database} (${used}), so this resource cannot prove an ` +
        `interrupted run of it enabled it. If it belongs to a resource you renamed, add aliases: [{ name: "<old name>" }] ` +
        `to this resource instead; to manage it from this resource, set adoptExisting: true. Nothing was changed`,
    );
  }
}

/**
 * Heroku records no creation time or owner tag on an endpoint, so what an interrupted create left is told from
 * what it cannot have yet: it was enabled by this account, it has no IP rules (the resources that make rules depend
 * on this one, so they start only once its create has returned), and its certificates are no older than RESUME_WINDOW_FACTOR create timeouts. Anything else
 * is an endpoint someone uses (another resource's, a renamed one's, a hand-made one). Returns what was found.
 */
async function signsOfUse(
  database: string,
  endpoint: MtlsEndpoint,
  createTimeoutMs: number,
): Promise<string | undefined> {
  const me = (await getAccount()).email;
  if (endpoint.enabled_by !== me) return `enabled by ${endpoint.enabled_by ?? "another account"}, not by ${me}`;
  if (!RESUMABLE_MTLS_STATUSES.includes(endpoint.status)) return `its status is ${endpoint.status}`;
  const rules = endpoint.active_ip_rules ?? [];
  if (rules.length > 0) return `it allows ${rules.map((r) => r.cidr).join(", ")}`;
  const certificates = (await listCertificates(database)).filter(isLive);
  const old = certificates.filter((c) => !withinResumeWindow(parseHerokuTimestamp(c.created_at), createTimeoutMs));
  if (old.length > 0) {
    return `client certificate ${old.map((c) => c.id).join(", ")} is older than ${RESUME_WINDOW_FACTOR} times timeouts.create`;
  }
  return undefined;
}

function mtlsIdentities(side: MtlsConfigInputs): string[] {
  return databaseKeys(side as unknown as Record<string, unknown>).map((db) => identityOf("mtls", db));
}

/** The endpoint states an interrupted create can leave behind (docs/heroku-api.md 1.1). */
const RESUMABLE_MTLS_STATUSES: readonly string[] = ["Provisioning", "Operational"];

/** A POST that failed ambiguously is read back: a certificate that appeared meanwhile is ours. */
async function createOnce(database: string): Promise<ClientCertificate> {
  const before = new Set((await listCertificates(database)).map((c) => c.id));
  return createReadingBack({
    what: `client certificate on database ${database}`,
    post: () => createCertificate(database),
    readBack: async () => (await listCertificates(database)).find((c) => !before.has(c.id)),
  });
}

/**
 * Live certificates no name holds, oldest first, leaving out those that look like Heroku's renewals of a held one.
 * An update that timed out waiting for a new certificate leaves one like this; the next update takes it for the
 * new name instead of making another. The MtlsConfig owns the endpoint (deleting it revokes every certificate),
 * so no one else's certificate can be taken.
 */
async function unclaimedCertificates(
  database: string,
  held: Record<string, ClientCertificateOutput> | undefined,
): Promise<ClientCertificate[]> {
  const live = new Map((await listCertificates(database)).filter(isLive).map((c) => [c.id, c] as const));
  const claimed = new Set(Object.values(held ?? {}).map((c) => c.id));
  for (const cert of Object.values(held ?? {})) {
    const successor = cert.expiresAt ? renewalOf(cert.expiresAt, live, claimed) : undefined;
    if (successor) claimed.add(successor.id);
  }
  return [...live.values()].filter((c) => !claimed.has(c.id)).sort(oldestFirst);
}

/** DELETE revokes at once; the certificate shows `disabling` and then answers 404. */
async function revoke(database: string, id: string, deadline: Deadline, hint: string): Promise<void> {
  if (!(await found(deleteCertificate(database, id)))) return;
  await waitFor<ClientCertificate | "gone">({
    what: `client certificate ${id} on database ${database}`,
    target: "disabled",
    ...deadline.bounds(),
    poll: () => getCertificate(database, id).catch(goneOnNotFound),
    statusOf: (c) => (c === "gone" ? "gone" : c.status),
    isDone: (c) => c === "gone" || c.status === "disabled",
    hint,
  });
}

/** Waits for each certificate to be ready (when a deadline is given) and reads its key and chain. */
async function materialise(
  database: string,
  ids: Record<string, string>,
  into: Record<string, ClientCertificateOutput>,
  deadline: Deadline | undefined,
  hint: string,
  seen?: ReadonlyMap<string, ClientCertificate>,
): Promise<Record<string, ClientCertificateOutput>> {
  for (const [name, id] of Object.entries(ids)) {
    // A certificate a list read just showed pending is still pending: the first read by id comes an interval
    // later. One shown ready is read at once (only the read by id carries its key).
    const pending = seen?.get(id)?.status === "pending" ? seen.get(id) : undefined;
    const cert = deadline
      ? await waitFor({
          ...(pending ? { initial: pending } : {}),
          what: `client certificate ${name} (${id}) on database ${database}`,
          target: "ready",
          ...deadline.bounds(),
          poll: () => getCertificate(database, id),
          statusOf: (c) => c.status,
          isDone: (c) => c.status === "ready",
          hint,
        })
      : await getCertificate(database, id);
    const privateKey = cert.private_key ?? "";
    into[name] = {
      id: cert.id,
      status: cert.status,
      createdAt: parseHerokuTimestamp(cert.created_at),
      ...(parseOptionalTimestamp(cert.expires_at) ? { expiresAt: parseOptionalTimestamp(cert.expires_at)! } : {}),
      certificateWithChain: cert.certificate_with_chain ? normalizePemChain(cert.certificate_with_chain) : "",
      privateKey,
      privateKeyPkcs8DerBase64: privateKey ? privateKeyToPkcs8DerBase64(privateKey) : "",
    };
  }
  return into;
}

/**
 * Heroku renews a certificate 75 days before it expires by creating a new one (Dev Center's mTLS article (docs/heroku-api.md)); the API does not say
 * which one it replaces, so the successor is the oldest unclaimed live certificate created inside the window.
 */
function renewalOf(
  expiresAt: string,
  live: Map<string, ClientCertificate>,
  claimed: Set<string>,
): ClientCertificate | undefined {
  const due = Date.parse(renewalDueAt(expiresAt));
  return [...live.values()]
    .filter((c) => !claimed.has(c.id) && Date.parse(parseHerokuTimestamp(c.created_at)) >= due)
    .sort(oldestFirst)[0];
}

function keepPrevious(stored: ClientCertificateOutput): Partial<ClientCertificateOutput> {
  return stored.previousCertificateId ? { previousCertificateId: stored.previousCertificateId } : {};
}

/** A certificate that still works or is about to: pending or ready (disabling and disabled are revoked). */
function isLive(c: ClientCertificate): boolean {
  return c.status === "pending" || c.status === "ready";
}

function oldestFirst(a: ClientCertificate, b: ClientCertificate): number {
  return Date.parse(parseHerokuTimestamp(a.created_at)) - Date.parse(parseHerokuTimestamp(b.created_at));
}

function goneOnNotFound(err: unknown): "gone" {
  if (isNotFound(err)) return "gone";
  throw err;
}

function unique(names: readonly string[]): string[] {
  return [...new Set(names)];
}

function outputs(
  inputs: MtlsConfigInputs,
  endpoint: MtlsEndpoint,
  certificates: Record<string, ClientCertificateOutput>,
): MtlsConfigOutputs {
  return {
    ...inputs,
    status: endpoint.status,
    ...(endpoint.enabled_by ? { enabledBy: endpoint.enabled_by } : {}),
    certificateAuthorityChain: endpoint.certificate_authority_chain
      ? normalizePemChain(endpoint.certificate_authority_chain)
      : "",
    certificates,
  };
}
