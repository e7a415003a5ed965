/**
 * The kernel's TCP counters that explain slow connects: a connection a server does not accept in
 * time overflows its listen queue, and the client's SYN is retried 1 s, 3 s, … later. System-wide,
 * so they also count other programs on the machine.
 */
import { readFileSync } from "node:fs";

export interface TcpCounters {
  listenOverflows: number;
  synRetransmits: number;
}

export function readTcpCounters(): TcpCounters | null {
  try {
    const lines = readFileSync("/proc/net/netstat", "utf8").split("\n").filter((l) => l.startsWith("TcpExt:"));
    const names = lines[0]?.split(/\s+/) ?? [];
    const values = lines[1]?.split(/\s+/) ?? [];
    const field = (name: string) => Number(values[names.indexOf(name)]);
    const counters = { listenOverflows: field("ListenOverflows"), synRetransmits: field("TCPSynRetrans") };
    return Number.isFinite(counters.listenOverflows) && Number.isFinite(counters.synRetransmits) ? counters : null;
  } catch {
    return null;
  }
}

/** What the counters grew by while `run` ran, with its result. */
export async function countTcpDuring<T>(run: () => Promise<T>): Promise<{ result: T; tcp: TcpCounters | null }> {
  const before = readTcpCounters();
  const result = await run();
  const after = readTcpCounters();
  const tcp =
    before && after ? { listenOverflows: after.listenOverflows - before.listenOverflows, synRetransmits: after.synRetransmits - before.synRetransmits } : null;
  return { result, tcp };
}
