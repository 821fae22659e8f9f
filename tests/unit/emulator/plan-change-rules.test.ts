// The pure rules behind plan changes in place (emulator/domain/plans.ts checkPlanChange) and the "Behind By" size
// format of followers (emulator/domain/followers.ts formatBytes), from tables.
import { formatBytes } from "../../../emulator/domain/followers";
import { checkPlanChange, parsePlan } from "../../../emulator/domain/plans";
import type { Space } from "../../../emulator/store/types";

const PRIVATE: Space = { id: "s1", name: "acme-private", team: "acme", region: "virginia", shield: false };
const SHIELD: Space = { ...PRIVATE, id: "s2", name: "acme-shield", shield: true };

describe("checkPlanChange", () => {
  test.each<[string, string, Space | undefined]>([
    ["private-0", "private-2", PRIVATE],
    ["private-2", "private-0", PRIVATE],
    ["standard-0", "premium-2", undefined],
    ["premium-0", "standard-0", PRIVATE],
    ["shield-0", "shield-4", SHIELD],
    ["essential-0", "essential-2", undefined],
  ])("%s -> %s is allowed in place", (from, to, space) => {
    expect(() => checkPlanChange(parsePlan(from), parsePlan(to), space, "app")).not.toThrow();
  });

  test.each<[string, string, Space | undefined, RegExp]>([
    ["essential-0", "standard-0", undefined, /Essential-tier databases change plans only within the Essential tier/],
    ["standard-0", "essential-1", undefined, /use pg:copy/],
    ["private-0", "shield-0", PRIVATE, /only available to apps in a Shield Space/],
    ["standard-0", "private-0", undefined, /only available to apps in a Private Space/],
  ])("%s -> %s is refused", (from, to, space, message) => {
    expect(() => checkPlanChange(parsePlan(from), parsePlan(to), space, "app")).toThrow(message);
  });
});

describe("formatBytes", () => {
  test.each([
    [0, "0 bytes"],
    [4096, "4096 bytes"],
    [10 * 1024 - 1, "10239 bytes"],
    [10 * 1024, "10 kB"],
    [1536 * 1024, "1536 kB"],
    [10 * 1024 * 1024, "10 MB"],
    [5 * 1024 ** 4 * 1024, "5120 TB"],
  ])("%d -> %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
