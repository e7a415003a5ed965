/** The door endpoints a usage row may record, as `endpoint=` takes them; safe to import in the browser. */
import type { Endpoint } from "../gateway/endpoints/types";

export const USAGE_ENDPOINTS = ["chat", "embeddings", "responses"] as const satisfies readonly Endpoint["name"][];

export type UsageEndpoint = (typeof USAGE_ENDPOINTS)[number];

export const USAGE_ENDPOINT_LABELS: Record<UsageEndpoint, string> = {
  chat: "Chat completions",
  embeddings: "Embeddings",
  responses: "Responses",
};
