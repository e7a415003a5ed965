/**
 * POST /v1/embeddings. The input is all the request costs: its tokens are the prompt estimate, the
 * budget reservation and the TPM charge, with no output. The upstream's answer goes back byte for
 * byte; only its usage is read.
 */
import { estimateEmbeddingTokens, parseEmbeddingsRequest } from "../embeddings-request";
import type { OutputCeiling } from "../output-ceiling";
import type { Endpoint } from "./types";

const NO_OUTPUT: OutputCeiling = Object.freeze({ perChoice: 0, choices: 1, total: 0, enforced: false });

export const embeddings: Endpoint = {
  name: "embeddings",
  parse(json) {
    const body = parseEmbeddingsRequest(json);
    return {
      model: body.model,
      user: body.user ?? null,
      stream: false,
      capability: "embeddings",
      plan: () => ({ promptEstimate: estimateEmbeddingTokens(body.inputs), ceiling: NO_OUTPUT, operation: "embeddings", body: json as Record<string, unknown> }),
      plainBody(answer) {
        // Every adapter's parseEmbeddings keeps the body in OpenAI's format as `raw`.
        if (answer.raw === null) throw new Error("an embeddings answer without its body");
        return answer.raw;
      },
      streamEncoder() {
        throw new Error("embeddings are never streamed");
      },
    };
  },
};
