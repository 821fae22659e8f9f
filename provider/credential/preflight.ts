// Credential's checks against Heroku (docs/ARCHITECTURE.md, "Where each kind of rule lives"): at preview, what
// the inputs name must exist and allow named credentials; at `up`, before anything is made, the same facts again.
import { followingOf } from "../heroku/databases";
import { appFacts, credentialNames, databaseFacts } from "../heroku/facts";
import { sharedDatabaseInfo } from "../heroku/shared-reads";
import { absentProblem, type CheckFailure } from "../shared/check";
import { databaseKeys, sameDatabase } from "../shared/database-ref";
import { declaredItems, declareItem } from "../shared/declared";
import { ProviderError } from "../shared/errors";
import { containsUnknown } from "../shared/unknown";
import type { CredentialAttachment, CredentialInputs } from "./types";
import { checkCredentialCount, checkCredentialDatabase } from "./validation";

const CREDENTIAL_KIND = "credential";

/**
 * At preview: every attached app exists and is visible, and, for a database that exists, its plan has named
 * credentials, it is no follower, and it has room for this run's credentials. Only what is new to this resource
 * is looked up (a deployed credential's facts were checked when it was made; a no-change preview asks nothing).
 */
export async function checkWithHeroku(
  olds: Record<string, unknown> | undefined,
  inputs: CredentialInputs,
): Promise<CheckFailure[]> {
  const failures = await checkAttachedApps(olds, inputs.attachments ?? []);
  const side = inputs as unknown as Record<string, unknown>;
  if (containsUnknown(inputs.database) || containsUnknown(inputs.name)) return failures;
  const keys = databaseKeys(side);
  if (olds && sameDatabase(olds, side) && olds.name === inputs.name) {
    declareItem(CREDENTIAL_KIND, keys, inputs.name);
    return failures;
  }
  const database = await databaseFacts(inputs.database);
  if (database.kind === "absent") {
    failures.push({
      property: "database",
      reason: absentProblem("database", "database", inputs.database, database.status),
    });
    return failures;
  }
  if (database.kind !== "found") return failures;
  const refusals = checkCredentialDatabase({
    database: inputs.database,
    plan: database.value.plan,
    ...(database.value.followerOf ? { followerOf: database.value.followerOf } : {}),
  });
  if (refusals.length > 0) return [...failures, ...refusals];
  const names = await credentialNames(inputs.database);
  if (names.kind !== "found") return failures;
  const over = checkCredentialCount({
    database: inputs.database,
    existing: names.value,
    declared: [...new Set([...declaredItems(CREDENTIAL_KIND, keys), inputs.name])],
  });
  if (over.length === 0) declareItem(CREDENTIAL_KIND, keys, inputs.name);
  return [...failures, ...over];
}

/** Each attachment's app, unless the old inputs already attached to it (then it was checked when attached). */
async function checkAttachedApps(
  olds: Record<string, unknown> | undefined,
  attachments: readonly CredentialAttachment[],
): Promise<CheckFailure[]> {
  const before = new Set(
    (Array.isArray(olds?.attachments) ? (olds.attachments as CredentialAttachment[]) : []).map((a) => a.app),
  );
  const failures: CheckFailure[] = [];
  for (const [i, a] of attachments.entries()) {
    if (containsUnknown(a.app) || before.has(a.app)) continue;
    const app = await appFacts(a.app);
    if (app.kind === "absent") {
      failures.push({
        property: `attachments[${i}].app`,
        reason: absentProblem(`attachments[${i}].app`, "app", a.app, app.status),
      });
    }
  }
  return failures;
}

/** At `up`, before the credential is made: an attachment to an app that is not there would fail after the create. */
export async function requireAttachedApps(attachments: readonly CredentialAttachment[]): Promise<void> {
  const failures: string[] = [];
  for (const [i, a] of attachments.entries()) {
    const app = await appFacts(a.app);
    if (app.kind === "absent") failures.push(absentProblem(`attachments[${i}].app`, "app", a.app, app.status));
  }
  if (failures.length > 0) throw new ProviderError(`${failures.join("; ")}. Nothing was created`);
}

/** Dev Center's "Heroku Postgres Credentials" (docs/heroku-api.md): production plans only, never on a follower. */
export async function checkDatabase(database: string): Promise<void> {
  const info = await sharedDatabaseInfo(database);
  const leader = followingOf(info);
  const failures = checkCredentialDatabase({
    database,
    plan: info.plan?.name ?? "",
    ...(leader !== undefined ? { followerOf: leader } : {}),
  });
  if (failures.length > 0) throw new ProviderError(failures.map((f) => f.reason).join("; "));
}
