import { formatDuration, parseDuration, timeoutMs } from "../../../provider/shared/timeouts";

describe("durations", () => {
  it.each<[string, number | undefined]>([
    ["20m", 1_200_000],
    ["1h30m", 5_400_000],
    ["90s", 90_000],
    ["1500ms", 1500],
    ["2h", 7_200_000],
    ["1m30s", 90_000],
    ["", undefined],
    ["20", undefined],
    ["20 minutes", undefined],
    ["m", undefined],
  ])("parseDuration(%j) = %j", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
  it("formats for messages", () => {
    expect(formatDuration(1_200_000)).toBe("20m0s");
    expect(formatDuration(5_430_000)).toBe("1h30m30s");
    expect(formatDuration(2500)).toBe("3s");
    expect(formatDuration(40)).toBe("40ms");
  });
  it("uses the input when given, else the default", () => {
    expect(timeoutMs({ create: "5m" }, "create", 1)).toBe(300_000);
    expect(timeoutMs({ create: "5m" }, "delete", 1)).toBe(1);
    expect(timeoutMs(undefined, "update", 7)).toBe(7);
  });
});
