// Seeded randomness, so a prompt and a seed always produce the same reply.
import { createHash } from "node:crypto";

/** SHA-256 (hex) of the seed and the conversation; every deterministic choice derives from it. */
export function replyDigest(seed: number, messages: unknown): string {
  return createHash("sha256").update(`${seed}\n${JSON.stringify(messages)}`).digest("hex");
}

/** mulberry32: a small, fast PRNG over 32-bit state, returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A PRNG seeded from eight hex characters of the digest, so separate uses get separate streams. */
export function randomFromDigest(digest: string, slot: number): () => number {
  return seededRandom(Number.parseInt(digest.slice(slot * 8, slot * 8 + 8), 16));
}

export function randomInt(rng: () => number, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

export function pick<T>(rng: () => number, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)] as T;
}
