/** Token counts with OpenAI's o200k tokenizer, for the prompt estimate and for upstreams that report no usage. */
import { countTokens } from "gpt-tokenizer";

// BPE time grows with the square of a pre-token's length: a megabyte of one repeated character
// would hold the event loop for many minutes. Runs of non-space (or space) longer than this are
// counted in slices, each boundary adding at most a token; ordinary text is counted exactly.
const MAX_RUN = 64;
const LONG_RUN = new RegExp(`\\S{${MAX_RUN + 1},}|\\s{${MAX_RUN + 1},}`, "g");

export function countText(text: string): number {
  if (!text) return 0;
  let total = 0;
  let last = 0;
  for (const m of text.matchAll(LONG_RUN)) {
    if (m.index > last) total += countTokens(text.slice(last, m.index));
    for (let i = 0; i < m[0].length; i += MAX_RUN) total += countTokens(m[0].slice(i, i + MAX_RUN));
    last = m.index + m[0].length;
  }
  if (last < text.length) total += countTokens(text.slice(last));
  return total;
}
