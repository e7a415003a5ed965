/**
 * Counts the completion tokens of a stream as they pass, so a reply can be stopped at the output
 * its reservation covers even when the upstream ignores the limit it was sent.
 *
 * Tokenizing every event would cost the hot path dearly, so the meter keeps a cheap upper bound
 * (a UTF-16 code unit is at most 3 tokens) and tokenizes only when that bound could pass the
 * limit: far from the limit nothing is counted, and each character is tokenized about once. Text
 * counted in pieces can come out a token higher than counted whole, so before refusing an event
 * the meter recounts each choice whole: an upstream that stops at the limit is never cut.
 */
import type { ChatEvent } from "./providers/types";
import { countText } from "./tokens";

const MAX_TOKENS_PER_CODE_UNIT = 3;
// Requests may ask for at most 128 choices; an index outside that is an upstream's garbage.
const MAX_CHOICES = 128;
const slot = (index: number) => (Number.isInteger(index) && index >= 0 && index < MAX_CHOICES ? index : 0);

interface ChoiceText {
  text: string;
  /** Tokens of text[0, counted), summed over the pieces it was counted in. */
  tokens: number;
  counted: number;
}

export class OutputMeter {
  private readonly choices: ChoiceText[] = [];
  private tokens = 0;
  private uncounted = 0;

  /** `limit`: completion tokens across all choices, or null to only collect the text. */
  constructor(private readonly limit: number | null) {}

  /**
   * Takes one event's output, [choice index, text] pairs. Returns false, keeping none of it, when
   * it would carry the reply past the limit.
   */
  admit(pieces: ReadonlyArray<readonly [number, string]>): boolean {
    for (const [index, text] of pieces) {
      this.choice(index).text += text;
      this.uncounted += text.length;
    }
    if (this.limit === null || this.tokens + this.uncounted * MAX_TOKENS_PER_CODE_UNIT <= this.limit) return true;
    this.countPieces();
    if (this.tokens <= this.limit) return true;
    this.recountWhole();
    if (this.tokens <= this.limit) return true;
    for (const [index, text] of pieces) {
      const c = this.choices[slot(index)]!;
      c.text = c.text.slice(0, c.text.length - text.length);
    }
    this.recountWhole();
    return false;
  }

  /** Completion tokens of everything admitted, each choice counted whole. */
  total(): number {
    this.recountWhole();
    return this.tokens;
  }

  private choice(index: number): ChoiceText {
    const at = slot(index);
    for (let i = this.choices.length; i <= at; i++) this.choices.push({ text: "", tokens: 0, counted: 0 });
    return this.choices[at]!;
  }

  private countPieces(): void {
    for (const c of this.choices) {
      if (c.counted === c.text.length) continue;
      const add = countText(c.text.slice(c.counted));
      c.tokens += add;
      this.tokens += add;
      c.counted = c.text.length;
    }
    this.uncounted = 0;
  }

  private recountWhole(): void {
    this.tokens = 0;
    for (const c of this.choices) {
      c.tokens = countText(c.text);
      c.counted = c.text.length;
      this.tokens += c.tokens;
    }
    this.uncounted = 0;
  }
}

/** Completion tokens of a whole answer's events, each choice counted whole. */
export function countOutput(events: readonly ChatEvent[]): number {
  const meter = new OutputMeter(null);
  for (const e of events) {
    if (e.type === "delta") meter.admit([[e.choice, e.text]]);
    else if (e.type === "tool-call") meter.admit([[e.choice, `${e.name ?? ""}${e.arguments}`]]);
  }
  return meter.total();
}
