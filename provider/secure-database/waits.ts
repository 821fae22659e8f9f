import { type Addon, deleteAddon, getAddon } from "../heroku/addons";
import { getConfigVars } from "../heroku/apps";
import { getEnhancedCertificatesStatus, getWaitStatus, type WaitStatus } from "../heroku/databases";
import { HerokuApiError, isNotFound } from "../heroku/errors";
import { waitFor } from "../heroku/waiter";
import { Deadline } from "../shared/deadline";
import { messageOf, ProviderError } from "../shared/errors";

export class ProvisioningFailedError extends ProviderError {
  override readonly name = "ProvisioningFailedError";
}

/**
 * Whether a failed add-on may be deleted: only one this very create POSTed. One it adopted or resumed may be a
 * live database (an adopted one whose key was disabled, say), and a failure never destroys it.
 */
export type FailedAddonCleanup = "delete-failed" | "keep";

/** Provisioning -> provisioned (docs/heroku-api.md section 4.2); a deprovisioned add-on is a failure. */
export async function waitProvisioned(
  app: string,
  addon: Addon,
  deadline: Deadline,
  hint: string,
  cleanup: FailedAddonCleanup,
): Promise<Addon> {
  try {
    return await waitFor({
      what: `add-on ${addon.name} on app ${app}`,
      target: "provisioned",
      ...deadline.bounds(),
      // The add-on as just created or found: one found provisioned (an adoption) needs no read.
      initial: addon,
      poll: () => getAddon(app, addon.id),
      statusOf: (a) => a.state,
      isDone: (a) => a.state === "provisioned",
      failure: (a) =>
        a.state === "deprovisioned" ? new ProvisioningFailedError(a.provision_message || "no reason given") : undefined,
      hint,
    });
  } catch (err) {
    if (!(err instanceof ProvisioningFailedError)) throw err;
    throw await failedProvisioning(app, addon, err.message, cleanup);
  }
}

/** The Data API's own readiness (pg:wait); up to 20 early 404s mean "not registered yet" (section 4.2). */
export async function waitDatabaseReady(
  app: string,
  addon: Addon,
  deadline: Deadline,
  hint: string,
  cleanup: FailedAddonCleanup,
): Promise<void> {
  let early404s = 0;
  try {
    await waitFor<WaitStatus>({
      what: `database ${addon.name}`,
      target: "available",
      ...deadline.bounds(),
      poll: async () => {
        try {
          return await getWaitStatus(addon.id);
        } catch (err) {
          if (isNotFound(err) && ++early404s <= 20)
            return { "waiting?": true, "error?": false, message: "not registered yet" };
          throw err;
        }
      },
      statusOf: (s) => s.message,
      isDone: (s) => !s["waiting?"],
      failure: (s) => (s["error?"] ? new ProvisioningFailedError(s.message) : undefined),
      hint,
    });
  } catch (err) {
    if (!(err instanceof ProvisioningFailedError)) throw err;
    throw await failedProvisioning(app, addon, err.message, cleanup);
  }
}

/** Deletes a failed add-on this create made, so nothing half-made remains, and says why it failed. */
async function failedProvisioning(
  app: string,
  addon: Addon,
  reason: string,
  cleanup: FailedAddonCleanup,
): Promise<ProviderError> {
  if (cleanup === "keep") {
    return new ProvisioningFailedError(
      `add-on ${addon.name} on app ${app} is not usable: ${reason}. This resource did not make it, so it was left as it is; fix the cause and run pulumi up again`,
    );
  }
  let outcome = "The failed add-on was deleted; fix the cause and run pulumi up again.";
  try {
    await deleteAddon(app, addon.id);
  } catch (err) {
    if (!isNotFound(err)) {
      outcome = `Deleting the failed add-on also failed (${messageOf(err)}); remove it with: heroku addons:destroy ${addon.name} -a ${app}`;
    }
  }
  return new ProvisioningFailedError(
    `Heroku could not provision add-on ${addon.name} on app ${app}: ${reason}. ${outcome}`,
  );
}

/** Enhanced Certificates Provisioning -> Enabled, Deprovisioning -> Disabled (docs/heroku-api.md section 3.1). */
export async function waitEnhancedCertificates(
  addon: Addon,
  enabled: boolean,
  deadline: Deadline,
  hint: string,
): Promise<string> {
  const target = enabled ? "Enabled" : "Disabled";
  return waitFor({
    what: `Enhanced Certificates on ${addon.name}`,
    target,
    ...deadline.bounds(),
    poll: () => getEnhancedCertificatesStatus(addon.id),
    statusOf: (s) => s,
    isDone: (s) => s === target,
    hint,
  });
}

/** The config var appears (or changes) after the add-on is ready; Terraform waits for it too (section 4.2). */
export async function waitConfigVar(
  app: string,
  name: string,
  previous: string | undefined,
  deadline: Deadline,
  hint: string,
): Promise<string> {
  const value = await waitFor({
    what: `config var ${name} on app ${app}`,
    target: previous === undefined ? "set" : "changed",
    ...deadline.bounds(),
    poll: async () => (await getConfigVars(app))[name] ?? undefined,
    statusOf: (v) => (v === undefined ? "unset" : "unchanged"),
    isDone: (v) => v !== undefined && v !== null && v !== previous,
    hint,
  });
  return value ?? "";
}

/** DELETE, then wait for the 404 that means deprovisioned (section 4.2). 404 on DELETE = already gone. */
export async function deleteAndWait(app: string, addonId: string, deadline: Deadline, hint: string): Promise<void> {
  try {
    await deleteAddon(app, addonId);
  } catch (err) {
    if (isNotFound(err)) return;
    throw err;
  }
  await waitFor<Addon | "gone">({
    what: `add-on ${addonId} on app ${app}`,
    target: "deleted",
    ...deadline.bounds(),
    poll: async () => {
      try {
        const a = await getAddon(app, addonId);
        return a.state === "deprovisioned" ? "gone" : a;
      } catch (err) {
        if (err instanceof HerokuApiError && err.status === 404) return "gone";
        throw err;
      }
    },
    statusOf: (a) => (a === "gone" ? "gone" : a.state),
    isDone: (a) => a === "gone",
    hint,
  });
}
