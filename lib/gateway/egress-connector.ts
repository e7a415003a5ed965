/**
 * The egress policy at connect time. A base URL that passed its check can still reach a forbidden
 * address: a name that resolves to one (or is made to, later: DNS rebinding). So every connection
 * an undici dispatcher opens resolves its host here, refuses if any address is forbidden, and
 * connects to exactly the addresses it checked.
 */
import { lookup as dnsLookup } from "node:dns/promises";
import type { LookupAddress, LookupOptions } from "node:dns";
import { Agent, buildConnector } from "undici";
import { EgressDenied, judgeHost, normalizeHost, type Allowlist } from "./egress";
import { forbiddenAddress, isIpAddress } from "./ip-address";

/** Resolves a host name to every address it has; injectable so tests can point a name anywhere. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true });

export interface EgressGuard {
  allowlist: Allowlist;
  resolve?: Resolver;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
type Lookup = (hostname: string, options: LookupOptions, callback: LookupCallback) => void;

/** net.connect's `lookup`, over `resolve`; with `check`, a name with any forbidden address is refused. */
function lookupWith(resolve: Resolver, check: boolean): Lookup {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (all) => {
        const family = options.family === 4 || options.family === 6 ? options.family : 0;
        const addresses = family ? all.filter((a) => a.family === family) : all;
        if (check) {
          // All, not just the one connected to: an honest upstream never resolves to a metadata address.
          for (const a of all) {
            const why = forbiddenAddress(a.address);
            if (why) return callback(new EgressDenied(`${normalizeHost(hostname)} resolves to ${a.address}, ${why}`), "");
          }
        }
        const first = addresses[0];
        if (!first) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND", hostname }), "");
        if (options.all) callback(null, addresses);
        else callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ""),
    );
  };
}

/** An undici connector that applies the egress policy to the host and to every address it resolves to. */
export function egressConnector(guard: EgressGuard, options: buildConnector.BuildOptions = {}): buildConnector.connector {
  const resolve = guard.resolve ?? systemResolver;
  const checked = buildConnector({ ...options, lookup: lookupWith(resolve, true) } as buildConnector.BuildOptions);
  // Hosts the allow-list names exactly, and IP literals (judged already; net does not look them up).
  const unchecked = buildConnector({ ...options, lookup: lookupWith(resolve, false) } as buildConnector.BuildOptions);
  return (opts, callback) => {
    const host = normalizeHost(opts.hostname);
    const port = opts.port || (opts.protocol === "https:" ? "443" : "80");
    const verdict = judgeHost(host, port, guard.allowlist);
    if (!verdict.ok) return callback(new EgressDenied(verdict.reason), null);
    return (verdict.named || isIpAddress(host) ? unchecked : checked)(opts, callback);
  };
}

/** A pooled dispatcher whose every connection goes through the egress policy. */
export function createEgressAgent(guard: EgressGuard, options: Omit<Agent.Options, "connect"> = {}): Agent {
  return new Agent({ ...options, connect: egressConnector(guard) });
}
