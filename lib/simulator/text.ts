// Deterministic filler text: plausible-looking sentences made of single-token English words.
import { pick, randomInt } from "./random";

// Each word is one o200k_base token as " word", "Word" and " Word", so one piece is one token.
const VOCABULARY = `the a an and or but so of to in on at by for with from as into over under about after
before between through during without within it this that these those there here then now just also only
very more most some any each every other such same new old good great small large long short high low time
way day year people world life work part place case point group number system program question fact hand eye
week month night home water room story is are was were be been has have had do does did can could will would
should may must make made take give find found think know see look use used come go went get got say tell ask
feel try leave call keep let begin help show hear play run move live believe hold bring write provide sit
stand pay meet include continue set learn change lead understand watch follow stop create speak read allow
add spend grow open walk win offer remember love consider buy wait serve send expect build stay reach suggest
raise pass sell require report pull first last next early late real simple clear easy hard best better right
left full free sure true whole public local social general data model request response token stream server
client network cache queue signal value result error test plan team route often always never again still
well even back far together perhaps usually`.split(/\s+/);

export const MIN_REPLY_PIECES = 24;
export const MAX_REPLY_PIECES = 96;

export function replyLength(rng: () => number): number {
  return randomInt(rng, MIN_REPLY_PIECES, MAX_REPLY_PIECES);
}

/**
 * `count` pieces of sentences ending in a full stop: words with a leading space except the very
 * first, and punctuation as pieces of their own. `continues` means the text follows other text,
 * so even the first word gets its space.
 */
export function generatePieces(rng: () => number, count: number, continues = false): string[] {
  const pieces: string[] = [];
  let sentenceLeft = 0;
  while (pieces.length < count) {
    const remaining = count - pieces.length;
    if (remaining === 1 && pieces.length > 0) {
      pieces.push(".");
      break;
    }
    if (sentenceLeft === 0 && pieces.length > 0 && remaining > 3 && pieces.at(-1) !== ".") {
      pieces.push(rng() < 0.9 ? "." : "?");
      continue;
    }
    const startsSentence = pieces.length === 0 || pieces.at(-1) === "." || pieces.at(-1) === "?";
    if (startsSentence) sentenceLeft = randomInt(rng, 5, 14);
    let word = pick(rng, VOCABULARY);
    if (startsSentence) word = word[0]!.toUpperCase() + word.slice(1);
    pieces.push(pieces.length === 0 && !continues ? word : ` ${word}`);
    sentenceLeft -= 1;
    if (sentenceLeft > 1 && remaining > 3 && rng() < 0.1) pieces.push(",");
  }
  return pieces;
}
