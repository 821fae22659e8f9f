/** Platform API rate limit: a token bucket per account (docs/heroku-api.md section 5). */
export const BUCKET_SIZE = 4500;
export const REFILL_PER_MINUTE = 75;

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number) {}

  private bucket(account: string): Bucket {
    const now = this.now();
    const b = this.buckets.get(account) ?? { tokens: BUCKET_SIZE, at: now };
    b.tokens = Math.min(BUCKET_SIZE, b.tokens + ((now - b.at) / 60_000) * REFILL_PER_MINUTE);
    b.at = now;
    this.buckets.set(account, b);
    return b;
  }

  /** Spends one token; false when the bucket is empty. */
  take(account: string): boolean {
    const b = this.bucket(account);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  remaining(account: string): number {
    return Math.floor(this.bucket(account).tokens);
  }

  /** Control API: set every account's bucket (and future ones) to `tokens`. */
  setAll(tokens: number, accounts: string[]): void {
    for (const a of accounts) this.buckets.set(a, { tokens, at: this.now() });
  }

  reset(): void {
    this.buckets.clear();
  }
}
