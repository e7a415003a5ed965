/** Money is integer micro-USD. Prices are micro-USD per million tokens. */

export interface Prices {
  inputMicrosPerMTok: number;
  outputMicrosPerMTok: number;
}

/**
 * Exact cost in micro-USD, rounded half up once per request. BigInt because tokens × price can
 * pass 2^53 for large prompts at high prices.
 */
export function costMicros(prices: Prices, promptTokens: number, completionTokens: number): number {
  const numerator =
    BigInt(promptTokens) * BigInt(prices.inputMicrosPerMTok) + BigInt(completionTokens) * BigInt(prices.outputMicrosPerMTok);
  return Number((numerator + 500_000n) / 1_000_000n);
}

export const usdToMicros = (usd: number): number => Math.round(usd * 1_000_000);
export const microsToUsd = (micros: number): number => micros / 1_000_000;
