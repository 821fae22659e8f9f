import type { Family, Handler, Route } from "./types";

interface Compiled extends Route {
  regex: RegExp;
  names: string[];
}

export interface Match {
  route: Route;
  params: Record<string, string>;
}

/** Patterns like /apps/:app/addons/:addon; a segment never spans a slash. */
export class Router {
  private readonly routes: Compiled[] = [];

  add(method: string, pattern: string, family: Family, handler: Handler): this {
    const names: string[] = [];
    const source = pattern.replace(/:([a-zA-Z]+)/g, (_, name: string) => {
      names.push(name);
      return "([^/]+)";
    });
    this.routes.push({ method, pattern, family, handler, regex: new RegExp(`^${source}/?$`), names });
    return this;
  }

  match(method: string, path: string): Match | undefined {
    for (const r of this.routes) {
      if (r.method !== method) continue;
      const m = r.regex.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      r.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1] ?? "")));
      return { route: r, params };
    }
    return undefined;
  }

  /** Which family an unknown path belongs to, so its 501 carries the right headers. */
  static familyOf(path: string): Family {
    if (path.startsWith("/__emulator")) return "control";
    if (/^\/(client\/v11|postgres\/v0|data\/postgres\/v1)\//.test(path)) return "data";
    return "platform";
  }
}
