import { HEROKU_DATA_ACCOUNT_ID } from "./arn";

/** What Heroku needs to encrypt with the key; kms:* or a matching wildcard also counts. */
const REQUIRED_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"];

interface Statement {
  Effect?: unknown;
  Principal?: unknown;
  Action?: unknown;
}

const asList = (v: unknown): string[] =>
  typeof v === "string" ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];

function namesHeroku(principal: unknown): boolean {
  const values =
    typeof principal === "object" && principal !== null ? asList((principal as Record<string, unknown>).AWS) : [];
  return values.some((p) => p === HEROKU_DATA_ACCOUNT_ID || p === `arn:aws:iam::${HEROKU_DATA_ACCOUNT_ID}:root`);
}

function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(
    "^" +
      pattern
        .split("*")
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*") +
      "$",
    "i",
  );
  return re.test(action);
}

/** Returns the required actions the policy does not allow Heroku's account; empty when the policy is fine. */
export function missingHerokuActions(policyJson: string): string[] {
  let doc: { Statement?: unknown };
  try {
    doc = JSON.parse(policyJson) as { Statement?: unknown };
  } catch {
    return REQUIRED_ACTIONS;
  }
  const statements = (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]).filter(
    (s): s is Statement => typeof s === "object" && s !== null,
  );
  const granted = statements
    .filter((s) => s.Effect === "Allow" && namesHeroku(s.Principal))
    .flatMap((s) => asList(s.Action));
  return REQUIRED_ACTIONS.filter((action) => !granted.some((g) => actionMatches(g, action)));
}
