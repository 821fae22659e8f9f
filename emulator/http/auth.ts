import type { IncomingHttpHeaders } from "node:http";
import type { Store } from "../store/store";
import type { User } from "../store/types";
import { ApiError } from "../errors";

/**
 * Both forms Heroku accepts (docs/heroku-api.md section 0): `Bearer <token>`, and Basic with an empty user and the
 * token as password (heroku-client, the Data API plugins). Basic with a user name is accepted too: the CLI's
 * netrc sends the email as user.
 */
export function authenticate(store: Store, headers: IncomingHttpHeaders): User {
  const header = headers.authorization ?? "";
  let token: string | undefined;
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer) token = bearer[1];
  const basic = /^Basic\s+(\S+)$/i.exec(header);
  if (basic) {
    const decoded = Buffer.from(basic[1] ?? "", "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    token = colon >= 0 ? decoded.slice(colon + 1) : undefined;
  }
  const user = token ? store.userByToken(token) : undefined;
  if (!user) throw new ApiError("unauthorized", "Invalid credentials provided.");
  return user;
}
