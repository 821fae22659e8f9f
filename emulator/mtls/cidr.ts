import { BlockList } from "node:net";

/** An IPv4 block as Heroku's mTLS allowlist takes it: `x.x.x.x/N`, decimal octets 0-255 without leading zeros. */
export interface Ipv4Block {
  address: string;
  prefix: number;
}

const OCTET = /^(0|[1-9]\d{0,2})$/;
const PREFIX = /^(\d|[12]\d|3[0-2])$/;

/** The block, or undefined when the text is not `x.x.x.x/N` with octets 0-255 and N 0-32. */
export function parseIpv4Block(text: string): Ipv4Block | undefined {
  const [address, prefix, extra] = text.split("/");
  if (extra !== undefined || address === undefined || prefix === undefined || !PREFIX.test(prefix)) return undefined;
  const octets = address.split(".");
  if (octets.length !== 4 || !octets.every((o) => OCTET.test(o) && Number(o) <= 255)) return undefined;
  return { address, prefix: Number(prefix) };
}

/** Whether bits below the prefix are set (`10.0.0.1/8`), which Heroku refuses. */
export function hasHostBits(block: Ipv4Block): boolean {
  const value = block.address.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
  return value % 2 ** (32 - block.prefix) !== 0;
}

/** Whether the IPv4 `address` is inside the CIDR block (node:net's BlockList does the arithmetic). */
export function cidrContains(cidr: string, address: string): boolean {
  const block = parseIpv4Block(cidr);
  if (!block) return false;
  const list = new BlockList();
  list.addSubnet(block.address, block.prefix, "ipv4");
  try {
    return list.check(address, "ipv4");
  } catch {
    return false; // not an IPv4 address at all
  }
}
