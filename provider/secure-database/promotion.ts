import { type Addon, attachAddon, type Attachment, listAppAttachments } from "../heroku/addons";
import { getApp, setMaintenance } from "../heroku/apps";
import {
  behindByAmount,
  behindByOf,
  type DatabaseInfo,
  followingOf,
  getDatabase,
  getWaitStatus,
  unfollowDatabase,
} from "../heroku/databases";
import { HerokuApiError } from "../heroku/errors";
import { waitFor, WaitTimeoutError } from "../heroku/waiter";
import type { Deadline } from "../shared/deadline";
import { ProviderError } from "../shared/errors";
import { createReadingBack } from "../shared/resume";
import { PRIMARY_ATTACHMENT } from "./heroku-state";

/**
 * Promotion of a follower to the app's primary database, the migration of Dev Center's BYOK article ("Migrate a
 * Heroku Postgres database to one using an encryption key": maintenance:on, pg:promote, pg:unfollow,
 * maintenance:off; docs/heroku-api.md sections 4.5 and 4.8):
 *
 * 1. refuse while the follower has not caught up (as pg:promote does), unless the app is already in maintenance;
 * 2. turn maintenance on for the app, so the app stops writing to the leader;
 * 3. wait until the follower is behind by nothing: it then has every committed row;
 * 4. attach it as DATABASE, first giving the old primary another attachment if it has none (as pg:promote does);
 * 5. unfollow it, so it takes writes;
 * 6. turn maintenance off.
 *
 * Each step looks at Heroku before acting, so a run killed anywhere is finished by the next `pulumi up` without
 * repeating what was done: attaching makes DATABASE point at the follower before unfollowing, so "not following
 * and not the primary" can only mean someone unfollowed it by hand, which is refused (rows written since then
 * would be lost). The promotion always ends with maintenance off; the README says so.
 */
export interface PromotionReport {
  /** When maintenance went on in this run (epoch ms), if it did. */
  maintenanceOnAt?: number;
  /** When maintenance went off in this run (epoch ms). */
  maintenanceOffAt?: number;
}

export async function promote(app: string, addon: Addon, deadline: Deadline): Promise<PromotionReport> {
  const report: PromotionReport = {};
  const what = `follower ${addon.name} on app ${app}`;
  const hint = `Raise timeouts.update and run pulumi up again: the promotion resumes where it stopped (heroku pg:info ${addon.name} -a ${app} shows how far behind it is).`;
  let info = await getDatabase(addon.id);
  let following = followingOf(info);
  const isPrimary = (await primaryAttachment(app))?.addon.id === addon.id;
  if (following === undefined && !isPrimary) {
    throw new ProviderError(
      `${addon.name} is neither following a leader nor app ${app}'s DATABASE: it was unfollowed outside a promotion, so rows written to the leader since then are not in it. Promote it by hand (heroku pg:promote ${addon.name} -a ${app}) if that is what you want, or make a new follower`,
    );
  }
  if (following !== undefined) {
    const appNow = await getApp(app);
    if (!appNow.maintenance) {
      await refuseWhileCatchingUp(addon, info, following);
      await setMaintenance(app, true);
      report.maintenanceOnAt = Date.now();
    }
    info = await waitCaughtUp(addon, what, deadline, hint);
    if (!isPrimary) await attachAsPrimary(app, addon);
    following = followingOf(info);
    if (following !== undefined) await unfollow(addon, deadline, hint);
  }
  await waitFor({
    what: `database ${addon.name}`,
    target: "available",
    ...deadline.bounds(),
    poll: () => getWaitStatus(addon.id),
    statusOf: (s) => s.message,
    isDone: (s) => !s["waiting?"],
    hint,
  });
  if ((await getApp(app)).maintenance) {
    await setMaintenance(app, false);
    report.maintenanceOffAt = Date.now();
  }
  return report;
}

async function primaryAttachment(app: string): Promise<Attachment | undefined> {
  return (await listAppAttachments(app)).find((a) => a.name === PRIMARY_ATTACHMENT && !a.namespace);
}

/**
 * How long the promotion watches a follower before refusing it as not caught up. A follower that streams the
 * leader's live writes is behind for a moment after each commit, so one "waiting" answer proves nothing; one that
 * never reaches its leader within this window is still replaying a backlog.
 */
export const CATCH_UP_PROBE_MS = 10_000;

/** pg:promote's own rule (docs/heroku-api.md section 4.5): not while wait_status says the follower is catching up. */
async function refuseWhileCatchingUp(addon: Addon, info: DatabaseInfo, leader: string): Promise<void> {
  let last: { info: DatabaseInfo; message: string } = { info, message: "" };
  try {
    await waitFor({
      what: `follower ${addon.name}`,
      target: "caught up",
      timeoutMs: CATCH_UP_PROBE_MS,
      poll: async () => {
        const status = await getWaitStatus(addon.id);
        if (status["waiting?"]) last = { info: await getDatabase(addon.id), message: status.message };
        return status;
      },
      statusOf: (s) => s.message,
      isDone: (s) => !s["waiting?"],
    });
  } catch (err) {
    if (!(err instanceof WaitTimeoutError)) throw err;
    const behind = behindByOf(last.info);
    throw new ProviderError(
      `promote: follower ${addon.name} has not caught up with its leader ${leader} (${behind ? `behind by ${behind}` : last.message}, for ${CATCH_UP_PROBE_MS / 1000} s); nothing was changed. Run pulumi up again once heroku pg:info ${addon.name} shows it caught up`,
    );
  }
}

/**
 * With the app in maintenance nothing new is committed on the leader, so a follower behind by nothing has every
 * row. Where Heroku shows no "Behind By" row, wait_status alone decides.
 */
async function waitCaughtUp(addon: Addon, what: string, deadline: Deadline, hint: string): Promise<DatabaseInfo> {
  const observed = await waitFor({
    what,
    target: "caught up (behind by 0)",
    ...deadline.bounds(),
    poll: async () => ({ info: await getDatabase(addon.id), status: await getWaitStatus(addon.id) }),
    statusOf: ({ info, status }) => behindByOf(info) ?? status.message,
    isDone: ({ info, status }) => !status["waiting?"] && (behindByAmount(info) ?? 0) === 0,
    hint,
  });
  return observed.info;
}

/**
 * pg:promote's attachments (docs/heroku-api.md section 4.5): the old primary first gets an attachment of its own
 * if DATABASE is its only one, so it stays reachable; then DATABASE moves to the follower. Each create reads back
 * before it is repeated (shared/resume.ts).
 */
async function attachAsPrimary(app: string, addon: Addon): Promise<void> {
  const attachments = await listAppAttachments(app);
  const old = attachments.find((a) => a.name === PRIMARY_ATTACHMENT && !a.namespace);
  const otherOf = (list: Attachment[], oldAddonId: string): Attachment | undefined =>
    list.find((a) => a.addon.id === oldAddonId && a.name !== PRIMARY_ATTACHMENT && !a.namespace);
  if (old && !otherOf(attachments, old.addon.id)) {
    await createReadingBack({
      what: `attachment of the old primary ${old.addon.name} on app ${app}`,
      post: () => attachAddon(app, old.addon.name),
      readBack: async () => otherOf(await listAppAttachments(app), old.addon.id),
    });
  }
  await createReadingBack({
    what: `DATABASE attachment of ${addon.name} on app ${app}`,
    post: () => attachAddon(app, addon.name, PRIMARY_ATTACHMENT),
    readBack: async () => {
      const primary = await primaryAttachment(app);
      return primary?.addon.id === addon.id ? primary : undefined;
    },
  });
}

/** PUT unfollow; an error after which Heroku shows it no longer following means an earlier attempt took effect. */
async function unfollow(addon: Addon, deadline: Deadline, hint: string): Promise<void> {
  try {
    await unfollowDatabase(addon.id);
  } catch (err) {
    if (!(err instanceof HerokuApiError) || followingOf(await getDatabase(addon.id)) !== undefined) throw err;
  }
  await waitFor({
    what: `database ${addon.name}`,
    target: "unfollowed",
    ...deadline.bounds(),
    poll: () => getDatabase(addon.id),
    statusOf: (i) => (followingOf(i) === undefined ? "not following" : `following ${followingOf(i)}`),
    isDone: (i) => followingOf(i) === undefined,
    hint,
  });
}
