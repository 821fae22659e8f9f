import type { Speed } from "../store/types";
import type { PendingTransition } from "./pending";
import { MACHINES } from "./definitions";

export interface Machined {
  pending: PendingTransition[];
}

/**
 * Advances pending transitions. A transition is due when its machine's speed says so: "immediate" at the next look,
 * {polls:N} on the Nth read of the object, {ms:N} once the emulator clock has moved N ms past its start.
 */
export class MachineEngine {
  constructor(
    private readonly speedOf: (machine: string) => Speed,
    private readonly now: () => number,
  ) {}

  begin(obj: Machined, machine: string, field: string, to: string): void {
    if (!MACHINES[machine]) throw new Error(`unknown machine ${machine}`);
    obj.pending = obj.pending.filter((p) => p.field !== field);
    obj.pending.push({ machine, field, to, since: this.now(), polls: 0 });
  }

  cancel(obj: Machined, field: string): void {
    obj.pending = obj.pending.filter((p) => p.field !== field);
  }

  /** A client read the object: count the poll, then apply whatever is due. */
  observe<T extends Machined>(obj: T): PendingTransition[] {
    for (const p of obj.pending) p.polls += 1;
    return this.settle(obj);
  }

  /** Applies due transitions (sets obj[field] = to) and returns them so the caller can run side effects. */
  settle<T extends Machined>(obj: T): PendingTransition[] {
    const fired = obj.pending.filter((p) => this.isDue(p));
    if (fired.length === 0) return fired;
    obj.pending = obj.pending.filter((p) => !fired.includes(p));
    for (const p of fired) (obj as unknown as Record<string, unknown>)[p.field] = p.to;
    return fired;
  }

  private isDue(p: PendingTransition): boolean {
    const speed = this.speedOf(p.machine);
    if (speed === "immediate") return true;
    if ("polls" in speed) return p.polls >= speed.polls;
    return this.now() - p.since >= speed.ms;
  }
}
