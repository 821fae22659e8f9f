import { backoffDelay, pacingDelay, parseRetryAfter, REFILL_INTERVAL_MS } from "../../../provider/heroku/retry-policy";

describe("retry policy", () => {
  it("caps exponential backoff", () => {
    const opts = { baseDelayMs: 500, maxDelayMs: 4000 };
    expect([0, 1, 2, 3, 10].map((n) => backoffDelay(n, opts, () => 1))).toEqual([500, 1000, 2000, 4000, 4000]);
    expect(backoffDelay(3, opts, () => 0)).toBe(500);
  });
  it("reads Retry-After as seconds or a date", () => {
    expect(parseRetryAfter("2")).toBe(2000);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:10 GMT", Date.parse("Wed, 21 Oct 2015 07:28:00 GMT"))).toBe(10_000);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
  it("paces only below the low-water mark, more as the bucket empties", () => {
    expect(pacingDelay(undefined)).toBe(0);
    expect(pacingDelay(4500)).toBe(0);
    expect(pacingDelay(50)).toBe(Math.round(REFILL_INTERVAL_MS * 1.5));
    expect(pacingDelay(0)).toBe(REFILL_INTERVAL_MS * 2);
  });
});
