/**
 * Which IP addresses the gateway refuses to call, whatever way the address is written: IPv4 in the
 * forms inet_aton accepts (2852039166, 0xa9.0xfe.0xa9.0xfe, 0251.0376.0251.0376), and IPv6 with an
 * IPv4 address inside (::ffff:169.254.169.254, 64:ff9b::a9fe:a9fe) judged by the IPv4 address.
 * Loopback and private ranges are allowed: local model servers live there.
 */

type Rule = { prefix: number[]; bits: number; why: string };

const LINK_LOCAL = "a link-local address";
const METADATA = "a cloud metadata address";

const IPV4_RULES: Rule[] = [
  { prefix: [0, 0, 0, 0], bits: 8, why: "an unspecified address (0.0.0.0/8)" },
  // AWS, GCP, Azure and Oracle serve instance metadata at 169.254.169.254.
  { prefix: [169, 254, 0, 0], bits: 16, why: LINK_LOCAL },
  { prefix: [224, 0, 0, 0], bits: 4, why: "a multicast address" },
  { prefix: [255, 255, 255, 255], bits: 32, why: "the broadcast address" },
  { prefix: [100, 100, 100, 200], bits: 32, why: METADATA }, // Alibaba Cloud
  { prefix: [192, 0, 0, 192], bits: 32, why: METADATA }, // Oracle Cloud, legacy
  { prefix: [168, 63, 129, 16], bits: 32, why: METADATA }, // Azure wireserver
];

const IPV6_RULES: Rule[] = [
  { prefix: [0xfe, 0x80], bits: 10, why: LINK_LOCAL },
  { prefix: [0xff], bits: 8, why: "a multicast address" },
  // AWS's instance services (metadata at fd00:ec2::254) live in this /32.
  { prefix: [0xfd, 0x00, 0x0e, 0xc2], bits: 32, why: METADATA },
];

/**
 * Prefixes whose last 32 bits are an IPv4 address the packet ends up at: IPv4-mapped, IPv4-compatible,
 * SIIT-translated and NAT64 (the well-known /96 and the local-use /48, used with a /96 prefix).
 */
const EMBEDS_IPV4: Array<{ prefix: number[]; bits: number }> = [
  { prefix: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], bits: 96 },
  { prefix: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], bits: 96 },
  { prefix: [0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0], bits: 96 },
  { prefix: [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], bits: 96 },
  { prefix: [0, 0x64, 0xff, 0x9b, 0, 1], bits: 48 },
];

function inPrefix(bytes: number[], prefix: number[], bits: number): boolean {
  for (let i = 0; i < bits; i += 8) {
    const mask = bits - i >= 8 ? 0xff : (0xff << (8 - (bits - i))) & 0xff;
    if (((bytes[i / 8] ?? 0) & mask) !== ((prefix[i / 8] ?? 0) & mask)) return false;
  }
  return true;
}

/** One inet_aton part: decimal, 0x hex or 0-led octal. */
function parsePart(part: string): number | null {
  if (/^0x[0-9a-f]*$/i.test(part)) return part.length === 2 ? 0 : parseInt(part.slice(2), 16);
  if (/^0[0-7]*$/.test(part)) return parseInt(part, 8);
  if (/^[1-9][0-9]*$/.test(part)) return Number(part);
  return null;
}

/** IPv4 in any form inet_aton accepts ("a", "a.b", "a.b.c", "a.b.c.d"), as four bytes. */
export function parseIpv4(text: string): number[] | null {
  const parts = text.split(".");
  if (parts.length > 4) return null;
  const nums = parts.map(parsePart);
  if (nums.some((n) => n === null)) return null;
  const values = nums as number[];
  const last = values.pop()!;
  if (values.some((n) => n > 255) || last >= 2 ** (8 * (4 - values.length))) return null;
  const bytes = [...values];
  for (let i = 4 - values.length - 1; i >= 0; i--) bytes.push(Math.floor(last / 2 ** (8 * i)) % 256);
  return bytes;
}

/** IPv6 (brackets and a zone id allowed, a dotted IPv4 tail too) as sixteen bytes. */
export function parseIpv6(text: string): number[] | null {
  let s = text.replace(/^\[(.*)\]$/, "$1").replace(/%.*$/, "");
  if (!s.includes(":")) return null;
  const tail = /:(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (tail) {
    const v4 = /^\d+\.\d+\.\d+\.\d+$/.test(tail[1]!) ? tail[1]!.split(".").map(Number) : null;
    if (!v4 || v4.some((n) => n > 255)) return null;
    s = `${s.slice(0, tail.index)}:${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...rest];
  const bytes: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
    const n = parseInt(g, 16);
    bytes.push(n >> 8, n & 0xff);
  }
  return bytes;
}

function ipv4Verdict(bytes: number[]): string | null {
  return IPV4_RULES.find((r) => inPrefix(bytes, r.prefix, r.bits))?.why ?? null;
}

/**
 * Why the gateway must not connect to this address, or null when it may. Anything that is not an
 * IP address (a host name) is null here: names are judged by the addresses they resolve to.
 */
export function forbiddenAddress(address: string): string | null {
  const v4 = parseIpv4(address);
  if (v4) return ipv4Verdict(v4);
  const v6 = parseIpv6(address);
  if (!v6) return null;
  if (v6.every((b) => b === 0)) return "an unspecified address (::)";
  const isLoopback = v6.slice(0, 15).every((b) => b === 0) && v6[15] === 1;
  if (!isLoopback && EMBEDS_IPV4.some((p) => inPrefix(v6, p.prefix, p.bits))) return ipv4Verdict(v6.slice(12));
  return IPV6_RULES.find((r) => inPrefix(v6, r.prefix, r.bits))?.why ?? null;
}

/** True for an IP address in any form parseIpv4 or parseIpv6 accepts. */
export function isIpAddress(text: string): boolean {
  return parseIpv4(text) !== null || parseIpv6(text) !== null;
}
