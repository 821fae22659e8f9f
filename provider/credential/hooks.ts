import {
  credentialReadMark,
  forgetSharedReads,
  listedCredential,
  pollCredential,
  sharedAddonAttachments,
} from "../heroku/shared-reads";
import { found, HerokuApiError, ignoreNotFound, isNotFound, nullOnNotFound, onNotFound } from "../heroku/errors";
import {
  attachCredential,
  createCredential,
  type Credential,
  destroyCredential,
  detachAttachment,
  isRefusedAsAttached,
  getCredential,
  listCredentials,
  listAddonAttachments,
  rotateCredential,
} from "../heroku/credentials";
import type { Attachment } from "../heroku/addons";
import { waitFor, WaitTimeoutError } from "../heroku/waiter";
import { Deadline } from "../shared/deadline";
import { asReported, type CheckFailure } from "../shared/check";
import { claim, claimedBy, identityOf, keptMessage } from "../shared/claims";
import { databaseIdentityFor, databaseKeys, resolveDatabase } from "../shared/database-ref";
import { inputsOf, type TableDiff } from "../shared/diff-table";
import { messageOf, ProviderError, withContext } from "../shared/errors";
import { createReadingBack, withinResumeWindow } from "../shared/resume";
import { timeoutMs } from "../shared/timeouts";
import { checkDatabase, checkWithHeroku, requireAttachedApps } from "./preflight";
import { CREDENTIAL_DIFF_TABLE, diffCredential, planAttachmentChanges } from "./diff-table";
import { derivePermissionLevels, type EffectiveLevel, overallLevel, planPermissionStatements } from "./grants";
import {
  defaultConnectionUrl,
  listUserSchemas,
  readGrantFacts,
  runStatements,
  userOf,
  withUsableConnection,
} from "./sql";
import type { AttachmentOutput, CredentialAttachment, CredentialInputs, CredentialOutputs } from "./types";
import {
  attachmentConfigVar,
  checkCredentialCapacity,
  DEFAULT_PERMISSION_LEVEL,
  DEFAULT_SCHEMAS,
  validateCredential,
} from "./validation";

/**
 * Credential: a named Heroku Postgres credential with a permission level, attachments and rotation (Dev Center's "Heroku Postgres Credentials" (docs/heroku-api.md),
 * docs/heroku-api.md 2). The thin provider in provider.ts requires this module and calls these functions.
 */

export const DEFAULT_CREATE_TIMEOUT_MS = 10 * 60_000;
/** Dev Center's "Heroku Postgres Credentials" (docs/heroku-api.md): a rotation waits up to about 30 minutes for old connections; update waits for it. */
export const DEFAULT_UPDATE_TIMEOUT_MS = 45 * 60_000;
export const DEFAULT_DELETE_TIMEOUT_MS = 10 * 60_000;
const NAMESPACE_PREFIX = "credential:";

export async function check(
  olds: Record<string, unknown> | undefined,
  news: Record<string, unknown>,
): Promise<{ inputs: CredentialInputs; failures: CheckFailure[] }> {
  const checked = validateCredential(news);
  if (checked.failures.length > 0) return { ...checked, failures: asReported(checked.failures) };
  const inputs = { ...checked.inputs, ...(await databaseIdentityFor(olds, news)) };
  return { inputs, failures: asReported(await checkWithHeroku(olds, inputs)) };
}

export async function diff(_id: string, olds: CredentialOutputs, news: CredentialInputs): Promise<TableDiff> {
  return diffCredential(olds as unknown as Record<string, unknown>, news as unknown as Record<string, unknown>);
}

export async function create(inputs: CredentialInputs): Promise<{ id: string; outs: CredentialOutputs }> {
  return withContext(`creating Credential ${inputs.name} on database ${inputs.database}`, async () => {
    const createTimeout = timeoutMs(inputs.timeouts, "create", DEFAULT_CREATE_TIMEOUT_MS);
    const deadline = Deadline.after(createTimeout);
    await checkDatabase(inputs.database);
    if (!inputs.adoptExisting) await requireAttachedApps(inputs.attachments ?? []);
    inputs = { ...inputs, ...(await resolveDatabase(inputs.database)) };
    let madeHere = false;
    if (inputs.adoptExisting) {
      await getCredential(inputs.database, inputs.name).catch((err: unknown) => {
        if (isNotFound(err)) {
          throw new ProviderError(
            `adoptExisting is set but database ${inputs.database} has no credential ${inputs.name}; remove adoptExisting to create it`,
          );
        }
        throw err;
      });
      claimCredential(inputs);
    } else if (await createOnce(inputs, createTimeout, deadline)) {
      claimCredential(inputs);
    } else {
      madeHere = true;
    }
    const hint =
      `The credential was not destroyed: raise timeouts.create, or set adoptExisting: true, and run pulumi up again ` +
      `(heroku pg:credentials ${inputs.database} shows its state).`;
    const usable = await waitUsable(inputs, deadline, hint, madeHere);
    if (inputs.adoptExisting) {
      // Adoption is a read-only takeover, like `pulumi import`: nothing is granted, revoked, attached or
      // detached. The state records the credential as it is (every schema it has privileges in, its attachments
      // under their live names), so the next preview shows each difference from the inputs as an update.
      const recorded = { ...inputs, schemas: await schemasHeld(inputs, usable, deadline) };
      const adopted = await observe(recorded, undefined, { deadline, credential: usable });
      if (!adopted)
        throw new ProviderError(`credential ${inputs.name} disappeared from ${inputs.database} while adopting it`);
      return { id: adopted.uuid, outs: adopted.outs };
    }
    // A credential Heroku has just made holds no privileges ("can be used to log in to the database, but can't
    // read from or write to any of your tables": Dev Center's "Heroku Postgres Credentials"), so `none` on one
    // made by this very create needs no SQL, and nothing waits for a connection. Anything else (a level to grant,
    // a resumed credential) goes through SQL, which waits for the database's mTLS and allowlist if need be.
    const schemas = inputs.schemas ?? [...DEFAULT_SCHEMAS];
    const noSql = madeHere && (inputs.permissions ?? DEFAULT_PERMISSION_LEVEL) === "none";
    if (!noSql) await applyPermissions(inputs, undefined, usable, deadline);
    // Attachments name their credential ("credential:<name>", docs/heroku-api.md 2.4), and only a credential
    // that exists can be attached: one this very create made has none yet, so with none declared there is
    // nothing to read or detach. One declaring attachments still reads them: its attach is not repeated blindly
    // (attachOnce), and a resumed or adopted credential may have some already.
    const declared = inputs.attachments ?? [];
    const current = madeHere && declared.length === 0 ? [] : await credentialAttachments(inputs.database, inputs.name);
    const attached = await syncAttachments(inputs, current);
    const outs = await observe(inputs, attached, {
      deadline,
      credential: usable,
      ...(noSql ? { levels: Object.fromEntries(schemas.map((schema) => [schema, "none" as const])) } : {}),
    });
    if (!outs)
      throw new ProviderError(`credential ${inputs.name} disappeared from ${inputs.database} while creating it`);
    return { id: outs.uuid, outs: outs.outs };
  });
}

export async function read(
  id: string,
  props: CredentialOutputs,
): Promise<{ id?: string; props?: CredentialOutputs; inputs?: CredentialInputs }> {
  return withContext(`reading Credential ${props.name} on database ${props.database}`, async () => {
    const found = await observe(props);
    if (!found) return {};
    return { id, props: found.outs, inputs: inputsOf<CredentialInputs>(CREDENTIAL_DIFF_TABLE, found.outs) };
  });
}

/** Permissions and schemas, then attachments, then the rotation (last, so grants never go to a draining user). */
export async function update(
  _id: string,
  olds: CredentialOutputs,
  news: CredentialInputs,
): Promise<{ outs: CredentialOutputs }> {
  return withContext(`updating Credential ${olds.name} on database ${olds.database}`, async () => {
    const deadline = Deadline.after(timeoutMs(news.timeouts, "update", DEFAULT_UPDATE_TIMEOUT_MS));
    const levelChanged =
      olds.permissions !== news.permissions ||
      JSON.stringify([...(olds.schemas ?? [])].sort()) !== JSON.stringify([...(news.schemas ?? [])].sort());
    if (levelChanged) await applyPermissions(news, olds.schemas, undefined, deadline);
    const attached = await syncAttachments(news, await credentialAttachments(news.database, news.name));
    if ((olds.rotationTrigger ?? "") !== (news.rotationTrigger ?? "")) {
      await rotateCredential(news.database, news.name, news.forceRotation === true);
      forgetSharedReads(news.database); // a list read before the rotation would still say "active"
      await waitRotated(news, olds.password, deadline);
    }
    const found = await observe(news, attached, { deadline });
    if (!found) {
      throw new ProviderError(
        `credential ${news.name} no longer exists on ${news.database}; run pulumi refresh, then pulumi up to create it again`,
      );
    }
    return { outs: found.outs };
  });
}

/**
 * Detaches it from every app first (Heroku refuses otherwise), then destroys it and waits until it is gone; 404
 * means gone. Every read here is one the deletes of a database's credentials share (heroku/shared-reads.ts):
 * the uuid check and the wait on credential lists, the detach on one attachment list.
 */
export async function remove(id: string, props: CredentialOutputs): Promise<void> {
  await withContext(`deleting Credential ${props.name} on database ${props.database}`, async () => {
    const deadline = Deadline.after(timeoutMs(props.timeouts, "delete", DEFAULT_DELETE_TIMEOUT_MS));
    const holder = claimedBy(...credentialIdentities(props));
    if (holder) {
      process.stderr.write(keptMessage(`credential ${props.name} on database ${props.database}`, holder));
      return;
    }
    // The list carries each credential's uuid as GET by name does (docs/heroku-api.md 2.2).
    const live = await listedCredential(props.database, props.name).catch(nullOnNotFound);
    if (!live) return; // the credential, or its database, is gone
    if (UUID_PATTERN.test(id) && live.uuid !== id) {
      // Someone made a new credential of this name since: it is not the one this resource made.
      process.stderr.write(
        `credential ${props.name} on database ${props.database} is not the one this resource made (${id} was replaced by ${live.uuid} outside this resource), so it was not deleted.\n`,
      );
      return;
    }
    // A shared list may be a moment old: every attachment in it with this credential's namespace is this
    // credential's (one detached since answers 404), and one made since makes the DELETE refuse (destroyDetached).
    const attachments = await sharedAddonAttachments(props.database).catch(onNotFound(undefined));
    if (!attachments) return; // the database itself is gone
    for (const a of ofCredential(attachments, props.name)) await detachAttachment(a.id).catch(ignoreNotFound);
    if (!(await destroyDetached(props.database, props.name))) return;
    // Destroy goes "revoking", then the credential leaves the list (docs/heroku-api.md 2.1): absent from a list
    // read that started after the DELETE was answered, it is gone.
    const mark = credentialReadMark();
    await waitFor({
      what: `credential ${props.name} on database ${props.database}`,
      target: "destroyed",
      ...deadline.bounds(),
      poll: () => listedCredential(props.database, props.name, mark).catch(nullOnNotFound),
      statusOf: (c) => c?.state ?? "gone",
      isDone: (c) => c === null,
      hint: "Raise timeouts.delete and run pulumi destroy again.",
    });
  });
}
export { remove as delete };

/**
 * DELETE; false when it was already gone. Heroku refuses to destroy a credential still attached to an app
 * (docs/heroku-api.md 2.3): one attached after the attachments were read. Then they are read afresh, detached,
 * and the DELETE is sent once more.
 */
async function destroyDetached(database: string, name: string): Promise<boolean> {
  try {
    return await found(destroyCredential(database, name));
  } catch (err) {
    if (!isRefusedAsAttached(err)) throw err;
  }
  const attachments = await credentialAttachments(database, name).catch(onNotFound(undefined));
  if (!attachments) return false; // the database itself is gone
  for (const a of attachments) await detachAttachment(a.id).catch(ignoreNotFound);
  return found(destroyCredential(database, name));
}

/**
 * Posts first: Heroku refuses a taken name and a 61st credential with 422 and makes nothing, so a list before
 * every create buys nothing. On that refusal the credentials are listed once to say why. Creates are not
 * idempotent (docs/heroku-api.md 5): after an ambiguous failure the credential is read back by name before the POST
 * is repeated (shared/resume.ts). Returns whether it took over a credential that already existed.
 */
async function createOnce(inputs: CredentialInputs, createTimeoutMs: number, deadline: Deadline): Promise<boolean> {
  try {
    await createReadingBack({
      what: `credential ${inputs.name} on database ${inputs.database}`,
      post: async () => {
        await createCredential(inputs.database, inputs.name);
        return true;
      },
      readBack: async () =>
        (await getCredential(inputs.database, inputs.name).catch(nullOnNotFound)) ? true : undefined,
    });
    return false;
  } catch (err) {
    if (!(err instanceof HerokuApiError) || err.status !== 422) throw err;
    const existing = await listCredentials(inputs.database);
    const same = existing.find((c) => c.name === inputs.name);
    if (same) {
      const used = await signsOfUse(inputs, same, createTimeoutMs, deadline);
      if (!used) return true; // left by an interrupted create of this resource: resumed
      throw new ProviderError(
        `database ${inputs.database} already has a credential ${inputs.name} (${used}), which this resource cannot ` +
          `prove it made. If it is the credential of a resource you renamed, add aliases: [{ name: "<old name>" }] to ` +
          `this resource instead; to manage it from this resource, set adoptExisting: true. Nothing was changed`,
      );
    }
    const full = checkCredentialCapacity(inputs.database, existing.length);
    if (full) throw new ProviderError(full);
    throw err;
  }
}

/**
 * Heroku keeps nothing on a credential but its name, so what an interrupted create of this resource left cannot
 * carry a marker. It is resumed only while everything about it is what this create would have made by now: no
 * open connection, attachments only to the declared apps and names and all made within RESUME_WINDOW_FACTOR
 * create timeouts, and no privileges but none or the declared level on the declared schemas (every other schema
 * none). A credential someone uses, or one of long standing, is refused. What a create takes over is claimed
 * (shared/claims.ts), so an old resource's delete in the same run leaves it. Returns what was found, or undefined.
 */
async function signsOfUse(
  inputs: CredentialInputs,
  found: Credential,
  createTimeoutMs: number,
  deadline: Deadline,
): Promise<string | undefined> {
  const connected = found.credentials.filter((u) => (u.connections ?? 0) > 0);
  if (connected.length > 0) {
    return `open connections as ${connected.map((u) => `${u.user} (${u.connections})`).join(", ")}`;
  }
  const declared = inputs.attachments ?? [];
  const attachments = await credentialAttachments(inputs.database, inputs.name);
  const foreign = attachments.filter(
    (a) =>
      !declared.some((d) => d.app === a.app.name && (d.name === undefined || d.name === a.name)) ||
      !withinResumeWindow(a.created_at, createTimeoutMs),
  );
  if (foreign.length > 0) {
    return `attached as ${foreign.map((a) => `${a.name} on ${a.app.name}`).join(", ")}, which this resource does not declare or did not make just now`;
  }
  const user = activeUser(found);
  if (!user) return undefined; // still provisioning: nobody can have used it yet
  const wanted = inputs.permissions ?? DEFAULT_PERMISSION_LEVEL;
  const schemas = inputs.schemas ?? [...DEFAULT_SCHEMAS];
  const levels = await levelsInEverySchema(inputs.database, user.user, deadline);
  const beyond = Object.entries(levels).filter(
    ([schema, level]) => level !== "none" && !(schemas.includes(schema) && level === wanted),
  );
  return beyond.length > 0
    ? `privileges on schema ${beyond.map(([schema, level]) => `${schema} (${level})`).join(", ")}`
    : undefined;
}

/** The declared schemas plus every other schema the credential has privileges in now. */
async function schemasHeld(inputs: CredentialInputs, found: Credential, deadline: Deadline): Promise<string[]> {
  const declared = inputs.schemas ?? [...DEFAULT_SCHEMAS];
  const user = activeUser(found);
  if (!user) return declared;
  const levels = await levelsInEverySchema(inputs.database, user.user, deadline);
  const held = Object.entries(levels)
    .filter(([, level]) => level !== "none")
    .map(([schema]) => schema);
  return [...declared, ...held.filter((schema) => !declared.includes(schema))];
}

/** The role's level in every user schema of the database (SQL, once a connection works). */
async function levelsInEverySchema(
  database: string,
  role: string,
  deadline: Deadline,
): Promise<Record<string, EffectiveLevel>> {
  return withUsableConnection(
    database,
    async (client, conn) => {
      const all = await listUserSchemas(client);
      return derivePermissionLevels(await readGrantFacts(client, role, userOf(conn.url), all), all);
    },
    { deadline },
  );
}

/** The identities under which a credential is claimed: its database by either spelling, and its name. */
function credentialIdentities(side: CredentialInputs): string[] {
  return databaseKeys(side as unknown as Record<string, unknown>).map((db) => identityOf("credential", db, side.name));
}

function claimCredential(inputs: CredentialInputs): void {
  claim(`Credential ${inputs.name} (${inputs.resumeKey ?? "adopted"})`, ...credentialIdentities(inputs));
}

/** Heroku's credential ids are UUIDs; older states may hold something else, which is then not compared. */
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const rotated = (c: Credential, oldPassword: string): boolean => {
  const user = activeUser(c);
  return user !== undefined && user.password !== oldPassword;
};

const activeUser = (c: Credential): Credential["credentials"][number] | undefined =>
  c.credentials.find((u) => u.state === "active");

async function waitUsable(
  inputs: CredentialInputs,
  deadline: Deadline,
  hint: string,
  justCreated = false,
): Promise<Credential> {
  return waitFor({
    what: `credential ${inputs.name} on database ${inputs.database}`,
    target: "active",
    ...deadline.bounds(),
    // Heroku answers a create with the credential still provisioning (docs/heroku-api.md 2.1).
    justCreated,
    poll: () => pollCredential(inputs.database, inputs.name),
    statusOf: (c) => c.state,
    isDone: (c) => (c.state === "active" || c.state === "rotating") && activeUser(c) !== undefined,
    hint,
  });
}

/**
 * A rotation without force stays "rotating" until old connections close or Heroku's grace (about 30 minutes)
 * ends. We wait for that within timeouts.update; past it, the rotation goes on at Heroku and the stored outputs
 * name the temporary `-rotating` user until the next refresh.
 */
async function waitRotated(inputs: CredentialInputs, oldPassword: string, deadline: Deadline): Promise<void> {
  try {
    await waitFor({
      what: `rotation of credential ${inputs.name} on database ${inputs.database}`,
      target: "active",
      ...deadline.bounds(),
      poll: () => pollCredential(inputs.database, inputs.name),
      statusOf: (c) => (c.state === "active" && !rotated(c, oldPassword) ? "active, old password" : c.state),
      // Done only once the password really changed: "active" alone may still be the state from before.
      isDone: (c) => c.state === "active" && rotated(c, oldPassword),
    });
  } catch (err) {
    if (!(err instanceof WaitTimeoutError)) throw err;
    process.stderr.write(`${err.message}\nThe rotation continues at Heroku; pulumi refresh records its outcome.\n`);
  }
}

/**
 * Revoke first, then grant (Dev Center's "Heroku Postgres Credentials" (docs/heroku-api.md)), on the role that holds the credential's privileges now. `known`: the
 * credential as just read (create's wait), which saves reading it again.
 */
async function applyPermissions(
  inputs: CredentialInputs,
  previousSchemas: readonly string[] | undefined,
  known: Credential | undefined,
  deadline: Deadline,
): Promise<void> {
  const credential = known ?? (await getCredential(inputs.database, inputs.name));
  const role = activeUser(credential)?.user ?? inputs.name;
  await withUsableConnection(
    inputs.database,
    (client, conn) =>
      runStatements(
        client,
        planPermissionStatements({
          role,
          owner: userOf(conn.url),
          level: inputs.permissions ?? DEFAULT_PERMISSION_LEVEL,
          schemas: inputs.schemas ?? [...DEFAULT_SCHEMAS],
          ...(previousSchemas ? { previousSchemas } : {}),
        }),
      ),
    { deadline },
  );
}

/** Read now: what an attach or a detach decides from must not be a moment old (see remove for the exception). */
async function credentialAttachments(database: string, name: string): Promise<Attachment[]> {
  return ofCredential(await listAddonAttachments(database), name);
}

/** The attachments of credential `name` (namespace "credential:<name>", docs/heroku-api.md 2.4). */
function ofCredential(attachments: readonly Attachment[], name: string): Attachment[] {
  return attachments.filter((a) => a.namespace === `${NAMESPACE_PREFIX}${name}`);
}

/**
 * Attaches what is missing and detaches what is no longer declared (diff-table.ts planAttachmentChanges);
 * returns the attachments now in place (saving a read).
 */
async function syncAttachments(inputs: CredentialInputs, current: Attachment[]): Promise<Attachment[]> {
  const currentRefs = current.map((a) => ({ app: a.app.name, name: a.name }));
  const { toAttach, toDetach } = planAttachmentChanges(currentRefs, inputs.attachments ?? []);
  const kept = [...current];
  for (const gone of toDetach) {
    const a = kept.find((x) => x.app.name === gone.app && x.name === gone.name);
    if (!a) continue;
    await detachAttachment(a.id).catch(ignoreNotFound);
    kept.splice(kept.indexOf(a), 1);
  }
  const declared = inputs.attachments ?? [];
  for (const wanted of toAttach) {
    try {
      kept.push(await attachOnce(inputs, wanted));
    } catch (err) {
      const i = declared.findIndex((d) => d.app === wanted.app && d.name === wanted.name);
      throw new ProviderError(
        `attachments[${i}].app: attaching credential ${inputs.name} to app ${wanted.app} failed: ${messageOf(err)}. ` +
          `The credential ${inputs.name} exists on database ${inputs.database}; fix the attachment and run pulumi up ` +
          `again, which resumes it`,
      );
    }
  }
  return kept;
}

async function attachOnce(inputs: CredentialInputs, wanted: CredentialAttachment): Promise<Attachment> {
  return createReadingBack({
    what: `attachment of credential ${inputs.name} to app ${wanted.app}`,
    post: () => attachCredential(inputs.database, inputs.name, wanted.app, wanted.name),
    readBack: async () =>
      (await credentialAttachments(inputs.database, inputs.name)).find(
        (a) => a.app.name === wanted.app && (wanted.name === undefined || a.name === wanted.name),
      ),
  });
}

/**
 * Complete state from Heroku and PostgreSQL: the credential's state and active user, its attachments (declared
 * unnamed ones stay unnamed), and the effective level on the stored schemas, so refresh shows drift. `levels`:
 * what create knows without SQL (a credential it just made); `credential`: the credential as this create's wait
 * just read it (a list carries the users and passwords as GET by name does, docs/heroku-api.md 2.2), which saves
 * reading it again; read and update read it here. `deadline`: how long SQL may wait for a connection (none for
 * refresh, which tries once).
 */
async function observe(
  stored: CredentialInputs,
  attachedNow?: Attachment[],
  options: { deadline?: Deadline; levels?: Record<string, EffectiveLevel>; credential?: Credential } = {},
): Promise<{ uuid: string; outs: CredentialOutputs } | undefined> {
  const credential = options.credential ?? (await getCredential(stored.database, stored.name).catch(nullOnNotFound));
  if (!credential || credential.state === "revoking") return undefined;
  const user = activeUser(credential) ?? credential.credentials[0];
  if (!user) throw new ProviderError(`credential ${stored.name} on ${stored.database} reports no user`);
  const query = new URL(await defaultConnectionUrl(stored.database)).search;
  const url = `postgres://${encodeURIComponent(user.user)}:${encodeURIComponent(user.password)}@${credential.host}:${credential.port}/${credential.database}${query}`;
  const schemas = stored.schemas ?? [...DEFAULT_SCHEMAS];
  const levels =
    options.levels ??
    (await withUsableConnection(
      stored.database,
      async (client, conn) =>
        derivePermissionLevels(await readGrantFacts(client, user.user, userOf(conn.url), schemas), schemas),
      options.deadline ? { deadline: options.deadline } : {},
    ));
  const attachments = attachedNow ?? (await credentialAttachments(stored.database, stored.name));
  const outs: CredentialOutputs = {
    ...stored,
    permissions: overallLevel(levels) as CredentialOutputs["permissions"],
    attachments: declaredForm(stored.attachments ?? [], attachments),
    state: credential.state,
    username: user.user,
    password: user.password,
    url,
    effectivePermissions: levels,
    attachmentConfigVars: attachments.map((a): AttachmentOutput => ({
      app: a.app.name,
      name: a.name,
      id: a.id,
      configVar: attachmentConfigVar(a.name),
    })),
  };
  return { uuid: credential.uuid, outs: withoutUndefined(outs) };
}

/** Actual attachments written as the inputs declared them: a declared unnamed one stays unnamed. */
function declaredForm(declared: readonly CredentialAttachment[], actual: Attachment[]): CredentialAttachment[] {
  const unnamedApps = declared.filter((d) => d.name === undefined).map((d) => d.app);
  const namedKeys = new Set(declared.filter((d) => d.name !== undefined).map((d) => `${d.app}\u0000${d.name}`));
  return actual.map((a) => {
    if (namedKeys.has(`${a.app.name}\u0000${a.name}`)) return { app: a.app.name, name: a.name };
    const i = unnamedApps.indexOf(a.app.name);
    if (i >= 0) {
      unnamedApps.splice(i, 1);
      return { app: a.app.name };
    }
    return { app: a.app.name, name: a.name };
  });
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
