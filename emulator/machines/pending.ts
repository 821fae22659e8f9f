/** A transition under way on one field of one object, advanced by the engine in machines/engine.ts. */
export interface PendingTransition {
  machine: string;
  field: string;
  to: string;
  /** Emulator clock (ms) when the transition began. */
  since: number;
  /** Reads of the object since the transition began. */
  polls: number;
}
