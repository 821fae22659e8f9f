/** Every wait of one operation shares its deadline (the resource's `timeouts` input). */
export class Deadline {
  /** When the operation (and its clock) started, for "timed out after" messages. */
  readonly startedAt = Date.now();
  constructor(private readonly at: number) {}
  static after(ms: number): Deadline {
    return new Deadline(Date.now() + ms);
  }
  remaining(): number {
    return Math.max(0, this.at - Date.now());
  }
  /** What a waitFor needs of it: the time left and when the operation started. */
  bounds(): { timeoutMs: number; startedAt: number } {
    return { timeoutMs: this.remaining(), startedAt: this.startedAt };
  }
}
