/**
 * Embeddings the simulator makes up, in OpenAI's wire format. Deterministic (the same text, model
 * and seed always give the same vector), unit length, and built from the text's words: each word
 * adds its own fixed random direction, so texts that share words point the same way and a
 * similarity search behaves plausibly ("the cat sat" is near "a cat sat down", far from
 * "quarterly tax report").
 */
import { createHash } from "node:crypto";
import { decode } from "gpt-tokenizer";
import type { EmbeddingInput } from "../gateway/embeddings-request";
import { countText } from "../gateway/tokens";
import { seededRandom } from "./random";

const WORD = /[\p{L}\p{N}]+/gu;
// The text's own direction, so texts with the same words in another order still differ a little.
const TEXT_WEIGHT = 0.5;

export interface EmbedOptions {
  model: string;
  seed: number;
  /** The model's full length; shorter `dimensions` are its first part, made unit length again. */
  fullDimensions: number;
  dimensions: number;
  encodingFormat: "float" | "base64";
}

/**
 * A fixed random direction for a key: independent components, uniform in [-1, 1). Two of them are
 * near orthogonal in hundreds of dimensions, which is all the similarity structure needs.
 */
function direction(key: string, dims: number): Float64Array {
  const rng = seededRandom(createHash("sha256").update(key).digest().readUInt32LE(0));
  const out = new Float64Array(dims);
  for (let i = 0; i < dims; i++) out[i] = 2 * rng() - 1;
  return out;
}

/** Token ids read back as text (o200k, the gateway's tokenizer); ids it does not know stay numbers. */
function textOf(input: EmbeddingInput): string {
  if (typeof input === "string") return input;
  try {
    return decode(input);
  } catch {
    return input.join(" ");
  }
}

export function embeddingTokens(input: EmbeddingInput): number {
  return typeof input === "string" ? countText(input) : input.length;
}

/** One unit-length embedding; `words` caches each word's direction across the inputs of a request. */
export function embed(input: EmbeddingInput, opts: EmbedOptions, words = new Map<string, Float64Array>()): Float32Array {
  const text = textOf(input);
  const prefix = `${opts.seed}:${opts.model}:`;
  const sum = new Float64Array(opts.fullDimensions);
  const add = (v: Float64Array, weight: number) => {
    for (let i = 0; i < sum.length; i++) sum[i]! += weight * v[i]!;
  };
  for (const word of text.toLowerCase().match(WORD) ?? []) {
    let v = words.get(word);
    if (!v) words.set(word, (v = direction(`${prefix}word:${word}`, opts.fullDimensions)));
    add(v, 1);
  }
  add(direction(`${prefix}text:${text}`, opts.fullDimensions), TEXT_WEIGHT);
  const out = new Float32Array(opts.dimensions);
  let norm = 0;
  for (let i = 0; i < out.length; i++) norm += sum[i]! * sum[i]!;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < out.length; i++) out[i] = sum[i]! / norm;
  return out;
}

/** As OpenAI sends it: little-endian float32 bytes in base64, or numbers that read back as the same float32. */
function encode(vector: Float32Array, format: EmbedOptions["encodingFormat"]): string | number[] {
  if (format === "float") return Array.from(vector, (v) => Number(v.toPrecision(9)));
  const bytes = new DataView(new ArrayBuffer(vector.length * 4));
  vector.forEach((v, i) => bytes.setFloat32(i * 4, v, true));
  return Buffer.from(bytes.buffer).toString("base64");
}

/** The `list` object of an embeddings answer. */
export function embeddingsBody(inputs: EmbeddingInput[], opts: EmbedOptions) {
  const words = new Map<string, Float64Array>();
  const tokens = inputs.reduce((sum, input) => sum + embeddingTokens(input), 0);
  return {
    object: "list",
    data: inputs.map((input, index) => ({ object: "embedding", index, embedding: encode(embed(input, opts, words), opts.encodingFormat) })),
    model: opts.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}
