import { cidrContains, hasHostBits, parseIpv4Block } from "../../../emulator/mtls/cidr";

describe("parseIpv4Block", () => {
  it.each([
    ["1.2.3.4/32", { address: "1.2.3.4", prefix: 32 }],
    ["0.0.0.0/0", { address: "0.0.0.0", prefix: 0 }],
    ["255.255.255.255/32", { address: "255.255.255.255", prefix: 32 }],
  ])("reads %s", (text, block) => expect(parseIpv4Block(text)).toEqual(block));

  it.each([
    "1.2.3.4",
    "1.2.3.4/33",
    "1.2.3/24",
    "1.2.3.256/32",
    "01.2.3.4/32",
    "1.2.3.4/08",
    "1.2.3.4/24/1",
    "::1/128",
    "",
  ])("refuses %p", (text) => expect(parseIpv4Block(text)).toBeUndefined());
});

describe("hasHostBits", () => {
  it.each([
    ["10.0.0.0/8", false],
    ["10.0.0.1/8", true],
    ["0.0.0.0/0", false],
    ["1.0.0.0/0", true],
    ["203.0.113.7/32", false],
    ["203.0.113.128/25", false],
    ["203.0.113.129/25", true],
  ])("%s: %p", (text, expected) => expect(hasHostBits(parseIpv4Block(text)!)).toBe(expected));
});

describe("cidrContains", () => {
  it.each([
    ["10.0.0.0/8", "10.1.2.3", true],
    ["10.0.0.0/8", "11.0.0.0", false],
    ["127.0.0.1/32", "127.0.0.1", true],
    ["127.0.0.1/32", "127.0.0.2", false],
    ["0.0.0.0/0", "198.51.100.1", true],
    ["not a cidr", "10.0.0.1", false],
    ["10.0.0.0/8", "::1", false],
    ["10.0.0.0/8", "garbage", false],
  ])("%s covers %s: %p", (cidr, address, expected) => expect(cidrContains(cidr, address)).toBe(expected));
});
