/**
 * The OpenAI embeddings request: `input` (a string, strings, a token array or token arrays),
 * `dimensions`, `encoding_format`, `user`. Checked where the gateway relies on a field; unknown
 * fields pass through to the upstream untouched.
 */
import { badRequest } from "./errors";
import { countText } from "./tokens";

/** OpenAI's limit on the inputs of one request. */
export const MAX_EMBEDDING_INPUTS = 2048;

/** Each input: a text, or token ids. */
export type EmbeddingInput = string | number[];

export interface EmbeddingsRequest {
  model: string;
  inputs: EmbeddingInput[];
  dimensions?: number;
  encodingFormat?: "float" | "base64";
  user?: string;
}

const isTokenId = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;

const SHAPES = "a string, an array of strings, an array of token ids or an array of token-id arrays";

function tokenArray(value: unknown[], param: string): number[] {
  if (value.length === 0) throw badRequest(`'${param}' must not be an empty array.`, param);
  const bad = value.findIndex((v) => !isTokenId(v));
  if (bad !== -1) throw badRequest(`'${param}[${bad}]' must be a token id (a whole number, 0 or more).`, `${param}[${bad}]`);
  return value as number[];
}

/** The inputs one by one, whichever of OpenAI's four shapes `input` has. */
export function parseInputs(input: unknown): EmbeddingInput[] {
  if (input === undefined || input === null) throw badRequest("Missing required parameter: 'input'.", "input", "missing_required_parameter");
  if (typeof input === "string") {
    if (!input) throw badRequest("'input' must not be an empty string.", "input");
    return [input];
  }
  if (!Array.isArray(input)) throw badRequest(`'input' must be ${SHAPES}.`, "input");
  if (input.length === 0) throw badRequest("'input' must not be an empty array.", "input");
  if (input.length > MAX_EMBEDDING_INPUTS) throw badRequest(`'input' may hold at most ${MAX_EMBEDDING_INPUTS} items; it has ${input.length}.`, "input");
  const first = input[0];
  // One token array is one input; strings and token arrays are one input each.
  if (typeof first === "number") return [tokenArray(input, "input")];
  return input.map((item: unknown, i) => {
    const param = `input[${i}]`;
    if (typeof first === "string") {
      if (typeof item !== "string") throw badRequest(`'${param}' must be a string, like the other inputs.`, param);
      if (!item) throw badRequest(`'${param}' must not be an empty string.`, param);
      return item;
    }
    if (Array.isArray(first)) {
      if (!Array.isArray(item)) throw badRequest(`'${param}' must be an array of token ids, like the other inputs.`, param);
      return tokenArray(item, param);
    }
    throw badRequest(`'input' must be ${SHAPES}.`, "input");
  });
}

export function parseEmbeddingsRequest(json: unknown): EmbeddingsRequest {
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw badRequest("The request body must be a JSON object.", null, "invalid_body");
  }
  const body = json as Record<string, unknown>;
  const { model, dimensions, encoding_format: encodingFormat, user } = body;
  if (model === undefined) throw badRequest("Missing required parameter: 'model'.", "model", "missing_required_parameter");
  if (typeof model !== "string" || !model || model.length > 256) throw badRequest("'model' must be a model name (1 to 256 characters).", "model");
  const inputs = parseInputs(body.input);
  if (dimensions !== undefined && !(typeof dimensions === "number" && Number.isInteger(dimensions) && dimensions > 0)) {
    throw badRequest("'dimensions' must be a positive whole number.", "dimensions");
  }
  if (encodingFormat !== undefined && encodingFormat !== "float" && encodingFormat !== "base64") {
    throw badRequest("'encoding_format' must be 'float' or 'base64'.", "encoding_format");
  }
  if (user !== undefined && (typeof user !== "string" || user.length > 512)) throw badRequest("'user' must be a string of at most 512 characters.", "user");
  return { model, inputs, dimensions, encodingFormat, user };
}

/** The prompt tokens an upstream will bill: each text's tokens, each token array's length. */
export function estimateEmbeddingTokens(inputs: EmbeddingInput[]): number {
  let total = 0;
  for (const input of inputs) total += typeof input === "string" ? countText(input) : input.length;
  return total;
}
