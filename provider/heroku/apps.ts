import { herokuClient } from "./client";

/** The parts of the Platform API App object we use. `space` is null in the Common Runtime. */
export interface App {
  id: string;
  name: string;
  region: { id?: string; name: string };
  space: { id: string; name: string; shield?: boolean } | null;
  /** docs/heroku-api.md section 4.8. */
  maintenance?: boolean;
  /** `cedar` or `fir`; reported by newer Platform API answers only (heroku/cli `src/lib/apps/generation.ts`). */
  generation?: { id?: string; name: string };
}

export interface Space {
  id: string;
  name: string;
  shield: boolean;
  region: { id?: string; name: string };
}

export function getApp(app: string): Promise<App> {
  return herokuClient().get<App>("platform", `/apps/${encodeURIComponent(app)}`);
}

/** docs/heroku-api.md section 4.8: `heroku maintenance:on` / `:off`; repeating either is harmless. */
export async function setMaintenance(app: string, on: boolean): Promise<App> {
  const res = await herokuClient().request<App>({
    api: "platform",
    method: "PATCH",
    path: `/apps/${encodeURIComponent(app)}`,
    body: { maintenance: on },
  });
  return res.data;
}

export function getSpace(space: string): Promise<Space> {
  return herokuClient().get<Space>("platform", `/spaces/${encodeURIComponent(space)}`);
}

export async function getConfigVars(app: string): Promise<Record<string, string | null>> {
  const vars = await herokuClient().get<Record<string, string | null> | undefined>(
    "platform",
    `/apps/${encodeURIComponent(app)}/config-vars`,
  );
  return vars ?? {};
}

/** The account the API token belongs to (docs/heroku-api.md section 5: GET /account). */
export function getAccount(): Promise<{ id?: string; email: string }> {
  return herokuClient().get<{ id?: string; email: string }>("platform", "/account");
}
