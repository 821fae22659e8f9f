// The parts of `pulumi preview --json` the review reads: the digest's steps, each with the resource's old and new
// state (apitype.ResourceV3). The format is the CLI's PreviewDigest (pkg/backend/display/json.go in the Pulumi
// sources, ShowPreviewDigest).

export interface ResourceState {
  urn: string;
  type: string;
  inputs?: Record<string, unknown>;
  protect?: boolean;
  propertyDependencies?: Record<string, string[]>;
}

export interface PreviewStep {
  /** create, update, delete, replace, same, read, refresh, create-replacement, delete-replaced, ... */
  op: string;
  urn: string;
  oldState?: ResourceState;
  newState?: ResourceState;
  /** The properties whose change causes a replacement. */
  replaceReasons?: string[];
  diffReasons?: string[];
}

export interface PreviewDigest {
  steps: PreviewStep[];
}

/** The digest's steps; throws with what is wrong when the text is not `pulumi preview --json` output. */
export function parsePreviewJson(text: string): PreviewDigest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON (${err instanceof Error ? err.message : String(err)}): run pulumi preview --json`, {
      cause: err,
    });
  }
  const steps = (parsed as { steps?: unknown } | null)?.steps;
  if (steps === undefined || steps === null) return { steps: [] };
  if (!Array.isArray(steps)) throw new Error("steps is not a list: is this the output of pulumi preview --json?");
  return { steps: steps as PreviewStep[] };
}

/** `urn:pulumi:<stack>::<project>::<type>::<name>`: the name part. */
export function nameOfUrn(urn: string): string {
  return urn.split("::").at(-1) ?? urn;
}

export function stackOfUrn(urn: string): string {
  return urn.split("::")[0]?.split(":")[2] ?? "";
}
