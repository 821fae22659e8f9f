import { databaseKeys } from "./database-ref";

/**
 * What the creates of this deployment took over: objects that already existed at Heroku or KMS (resumed after an
 * interrupted run, or adopted with an adoption input) and that a resource of this run now holds.
 *
 * Pulumi runs every dynamic resource of a deployment in one provider process, and a create-before-delete
 * replacement or a rename without `aliases` deletes the old resource after the new one was created. If the new
 * resource took over the same object, the old resource's delete would remove what the stack still declares. So a
 * delete first asks here: an object claimed in this run is left in place and only dropped from the old
 * resource's state. A delete-before-replace deletes before the create runs, so it is never held back by this.
 */
const claims = new Map<string, string>();

/** A stable text for one object: its kind and the parts that identify it at Heroku or KMS. */
export function identityOf(kind: string, ...parts: string[]): string {
  return [kind, ...parts].join("\u0000");
}

/**
 * The identities under which an IP rule is claimed, by IpRule and IpAllowlist alike (so one's delete leaves what
 * the other took over): its id, and its CIDR on the database by either spelling.
 */
export function ipRuleIdentities(database: Record<string, unknown>, cidr: string, ruleId: string): string[] {
  return [identityOf("ip-rule", ruleId), ...databaseKeys(database).map((db) => identityOf("ip-rule", db, cidr))];
}

/** Records that `holder` (a resource description for messages) took over the objects with these identities. */
export function claim(holder: string, ...identities: string[]): void {
  for (const identity of identities) claims.set(identity, holder);
}

/** The holder that took over one of these identities in this run, if any. */
export function claimedBy(...identities: string[]): string | undefined {
  for (const identity of identities) {
    const holder = claims.get(identity);
    if (holder !== undefined) return holder;
  }
  return undefined;
}

/** The message a delete writes when it leaves a claimed object in place. */
export function keptMessage(what: string, holder: string): string {
  return `${what} was not deleted: ${holder} took it over in this run and holds it now; only this resource's state is removed.\n`;
}

/** For tests: forget every claim. */
export function clearClaims(): void {
  claims.clear();
}
