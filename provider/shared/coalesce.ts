/**
 * Shares one read among the many resources that wait on the same collection at once. All dynamic resources of a
 * deployment live in one provider process, so 60 IP rules that are Authorizing can learn their status from one
 * list call instead of 60 GETs per poll round: fewer calls against the account's hourly budget (docs/heroku-api.md
 * section 5), and the same notice delay plus at most `freshMs`.
 *
 * Only for reads where an answer `freshMs` old is as good as a new one (status polls, pre-checks the server
 * repeats anyway). A read-back after an ambiguous create must see the present, so it never comes from here.
 */
export class Coalescer<T> {
  private readonly entries = new Map<string, { at: number; seq: number; value: Promise<T> }>();
  /** Orders reads and marks exactly (two in the same millisecond included): see `mark` and `getAfter`. */
  private seq = 0;

  constructor(
    private readonly freshMs: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** The read started within the last `freshMs` for this key (in flight or done), else a new one. */
  get(key: string, read: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && this.now() - hit.at <= this.freshMs) return hit.value;
    const entry = { at: this.now(), seq: ++this.seq, value: read() };
    this.entries.set(key, entry);
    // A failed read is not shared with later callers: they try again themselves.
    entry.value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return entry.value;
  }

  /**
   * A new read unless someone already replaced `stale` (the answer the caller found lacking, e.g. a list read
   * before the caller's object was created): many callers missing from the same old answer share one new read.
   */
  refresh(key: string, stale: Promise<T>, read: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && hit.value !== stale) return hit.value;
    this.entries.delete(key);
    return this.get(key, read);
  }

  /**
   * A point in this process's reads, taken once a change made here has been answered (a DELETE): a read started
   * after it cannot predate that change.
   */
  mark(): number {
    return ++this.seq;
  }

  /**
   * Like `get`, but shares only a read started after `mark`: callers that must see their own change (each its own
   * mark) still share one read once it is newer than all their marks.
   */
  getAfter(key: string, mark: number, read: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && hit.seq < mark) this.entries.delete(key);
    return this.get(key, read);
  }

  /**
   * Hands later callers an answer this process just read by another route (a resource's own fresh read of the
   * same object), as if it were a read started now.
   */
  prime(key: string, value: T): void {
    this.entries.set(key, { at: this.now(), seq: ++this.seq, value: Promise.resolve(value) });
  }

  /** After a change made by this process (a create, a delete), the next read must not predate it. */
  forget(key: string): void {
    this.entries.delete(key);
  }
}

/**
 * How stale a shared status read may be. Well under the 2 s notice goal (issue 7) and the waiter's first
 * intervals, so sharing adds little delay while merging the polls of resources that started together.
 */
export const SHARED_READ_FRESH_MS = 750;
