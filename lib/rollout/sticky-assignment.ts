/**
 * Sticky variant assignment: SHA-256(seed + ":" + key), first 4 bytes as a fraction of 2^32,
 * against the candidate's weight. A key's position never changes, so raising the weight only
 * moves keys from control to candidate, never back and forth.
 */
import { createHash } from "node:crypto";

export function stickyPosition(seed: string, key: string): number {
  return createHash("sha256").update(`${seed}:${key}`).digest().readUInt32BE(0) / 2 ** 32;
}

/** candidateWeight in percent, 0–100. */
export function assignVariant(seed: string, key: string, candidateWeight: number): "control" | "candidate" {
  return stickyPosition(seed, key) < candidateWeight / 100 ? "candidate" : "control";
}
