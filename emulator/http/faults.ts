/** Faults injected by tests through POST /__emulator/faults; each fires `times` times, then is gone. */
export interface Fault {
  method?: string;
  path: RegExp;
  status?: number;
  retryAfter?: number;
  drop?: boolean;
  times: number;
}

export class Faults {
  private faults: Fault[] = [];

  add(f: Fault): void {
    this.faults.push(f);
  }

  clear(): void {
    this.faults = [];
  }

  /** The first fault matching this request, with one use spent. */
  take(method: string, path: string): Fault | undefined {
    const hit = this.faults.find((f) => (!f.method || f.method.toUpperCase() === method) && f.path.test(path));
    if (!hit) return undefined;
    hit.times -= 1;
    if (hit.times <= 0) this.faults = this.faults.filter((f) => f !== hit);
    return hit;
  }

  list(): { method?: string; path: string; status?: number; retryAfter?: number; drop?: boolean; times: number }[] {
    return this.faults.map((f) => ({ ...f, path: f.path.source }));
  }
}

export interface LoggedRequest {
  method: string;
  path: string;
  /** 0 when a fault dropped the connection. */
  status: number;
  at: string;
}
