/**
 * An endpoint of the OpenAI-compatible door (chat completions, and the ones added beside it) as the
 * pipeline sees it: how a body is validated, what the request will cost at most once its model is
 * known, what the upstream is asked, and how answers are written in the endpoint's own format.
 * Everything else (auth, limits, budgets, retries, fallbacks, the usage row) is the pipeline's.
 */
import type { OutputCeiling } from "../output-ceiling";
import type { Frame } from "../providers/types";
import type { StreamEncoder } from "../relay";
import type { ModelConfig } from "../types";

/** What a model must serve for an endpoint. */
export type Capability = "chat" | "embeddings";

/** The upstream operation, in OpenAI's request format, which each adapter translates. */
export type Operation = "chat" | "embeddings" | "responses";

export interface CallPlan {
  /** Upper bound of the prompt tokens the upstream will bill. */
  promptEstimate: number;
  ceiling: OutputCeiling;
  operation: Operation;
  /** The upstream request in OpenAI's format for the operation (the model name is set per target). */
  body: Record<string, unknown>;
  /**
   * The same request in a format some providers speak natively (the Responses API), sent instead
   * of `body` to a target whose provider does; the others get `body`.
   */
  native?: { operation: Operation; body: Record<string, unknown> };
}

/** What an answer's envelope may name: the gateway's request id and the model that served it. */
export interface AnswerMeta {
  requestId: string;
  model: string;
}

export interface ParsedRequest {
  model: string;
  /** The OpenAI `user` field, a sticky key for route splits. */
  user: string | null;
  stream: boolean;
  capability: Capability;
  /** The plan once the model is resolved; `budgeted` when the team has a cap its reservation must bound. */
  plan(model: ModelConfig, budgeted: boolean): CallPlan;
  /** A whole answer in the endpoint's format. */
  plainBody(answer: Frame, now: () => number, meta: AnswerMeta): string;
  streamEncoder(now: () => number, meta: AnswerMeta): StreamEncoder;
}

export interface Endpoint {
  /** Recorded on the usage row. */
  name: "chat" | "embeddings" | "responses";
  /** Validates a body; throws a 400 GatewayError naming the parameter. */
  parse(json: unknown): ParsedRequest;
}
