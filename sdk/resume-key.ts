import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

/**
 * The identity a resource's objects carry at Heroku so that a create interrupted after Heroku made the object
 * (pulumi killed, CI cancelled, the provider timed out) is resumed by the next `pulumi up` instead of made twice.
 * It is derived from what stays the same between those runs: project, stack, resource type and name.
 * Pulumi's own random seed for autonaming cannot serve: it is drawn anew for a resource that never reached state.
 */
export function resumeKey(type: string, name: string): string {
  return createHash("sha256")
    .update(`${pulumi.getProject()}/${pulumi.getStack()}/heroku-pg-secure:${type}/${name}`)
    .digest("hex")
    .slice(0, RESUME_KEY_LENGTH);
}

/** 16 hex digits: 64 bits, so two resources never share one by chance. */
export const RESUME_KEY_LENGTH = 16;
