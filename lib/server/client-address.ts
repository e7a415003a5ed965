/**
 * Who sent a request, as the custom server saw it on the socket. X-Forwarded-For is anyone's to
 * write, so it counts only when the peer is a proxy named in SWITCHYARD_TRUSTED_PROXIES; then the
 * client is the nearest address in the chain that is not one of those proxies.
 *
 * The server stamps its finding on the request under headers of its own (after deleting any copy
 * a client sent) for route handlers: the sign-in limiter keys on the address, first-admin setup
 * asks whether the request came from this machine.
 */
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { BlockList, isIP } from "node:net";

export const CLIENT_IP_HEADER = "x-switchyard-client-ip";
export const CLIENT_LOCAL_HEADER = "x-switchyard-client-local";
export const CLIENT_PROTO_HEADER = "x-switchyard-client-proto";

export interface Client {
  ip: string;
  /** From this machine's loopback, and not relayed by a proxy we were not told to trust. */
  local: boolean;
  /** Reached a trusted proxy over https (this server itself only speaks plain http). */
  https: boolean;
}

/** "::ffff:10.0.0.1" is how a dual-stack socket shows an IPv4 peer. */
export function normalizeIp(ip: string): string {
  const lower = ip.trim().toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  return mapped ? mapped[1]! : lower;
}

export function isLoopback(ip: string): boolean {
  const v = normalizeIp(ip);
  return v === "::1" || (isIP(v) === 4 && v.startsWith("127."));
}

/** Parses "10.0.0.0/8, 192.168.1.5, fd00::/8"; a malformed entry stops the start rather than trusting nothing silently. */
export function parseTrustedProxies(value: string | undefined): BlockList {
  const list = new BlockList();
  for (const entry of (value ?? "").split(",").map((e) => e.trim()).filter(Boolean)) {
    const [address = "", prefix] = entry.split("/");
    const ip = normalizeIp(address);
    const family = isIP(ip);
    const bits = prefix === undefined ? null : Number(prefix);
    if (!family || (bits !== null && !(Number.isInteger(bits) && bits >= 0 && bits <= (family === 4 ? 32 : 128)))) {
      throw new Error(`SWITCHYARD_TRUSTED_PROXIES: '${entry}' is not an IP address or CIDR range`);
    }
    const type = family === 4 ? "ipv4" : "ipv6";
    if (bits === null) list.addAddress(ip, type);
    else list.addSubnet(ip, bits, type);
  }
  return list;
}

function trusted(list: BlockList, ip: string): boolean {
  const v = normalizeIp(ip);
  const family = isIP(v);
  return family !== 0 && list.check(v, family === 4 ? "ipv4" : "ipv6");
}

const FORWARDING_HEADERS = ["x-forwarded-for", "forwarded", "x-real-ip"];

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(",") : v;
}

export function resolveClient(peerAddress: string | undefined, headers: IncomingHttpHeaders, proxies: BlockList): Client {
  const peer = normalizeIp(peerAddress ?? "");
  const forwarded = FORWARDING_HEADERS.some((h) => headerValue(headers, h) !== undefined);
  if (!trusted(proxies, peer)) {
    // A proxy on this machine that we were not told about would make every visitor look local.
    return { ip: peer, local: isLoopback(peer) && !forwarded, https: false };
  }
  const https = headerValue(headers, "x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase() === "https";
  const chain = (headerValue(headers, "x-forwarded-for") ?? "").split(",").map((e) => normalizeIp(e)).filter(Boolean);
  // Only X-Forwarded-For is read; a trusted proxy that sends something else relays strangers all the same.
  if (chain.length === 0) return { ip: peer, local: isLoopback(peer) && !forwarded, https };
  let ip = peer;
  for (let i = chain.length - 1; i >= 0; i--) {
    const hop = chain[i]!;
    // Garbage from a trusted proxy: the last address we could vouch for stands.
    if (!isIP(hop)) break;
    ip = hop;
    if (!trusted(proxies, hop)) break;
  }
  return { ip, local: isLoopback(ip), https };
}

/** Replaces whatever the client sent under our header names with what the socket says. */
export function stampClient(req: IncomingMessage, proxies: BlockList): Client {
  const client = resolveClient(req.socket.remoteAddress, req.headers, proxies);
  req.headers[CLIENT_IP_HEADER] = client.ip;
  req.headers[CLIENT_LOCAL_HEADER] = client.local ? "1" : "0";
  req.headers[CLIENT_PROTO_HEADER] = client.https ? "https" : "http";
  return client;
}

/**
 * The client as stamped by the custom server, or null when no custom server stamped it (e.g. the
 * app run by `next start`): then the headers are whatever the client sent and mean nothing.
 */
export function stampedClient(headers: Headers, stampedByServer: boolean): Client | null {
  if (!stampedByServer) return null;
  const ip = headers.get(CLIENT_IP_HEADER);
  return ip === null ? null : { ip, local: headers.get(CLIENT_LOCAL_HEADER) === "1", https: headers.get(CLIENT_PROTO_HEADER) === "https" };
}
