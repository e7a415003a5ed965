/** The provider form's "Speaks the Responses API" checkbox as the body it sends. */
import { describe, expect, it } from "vitest";
import { newProviderValues, providerValues, validateProvider } from "@/lib/client/settings/provider-form";
import type { ProviderView } from "@/lib/client/settings/providers";
import { DEFAULT_PROVIDER_SETTINGS } from "@/lib/gateway/types";

const existing: ProviderView = {
  id: "prv_1",
  name: "openai",
  kind: "openai-compatible",
  baseUrl: "https://api.openai.com/v1",
  apiKeyLast4: "abcd",
  settings: { ...DEFAULT_PROVIDER_SETTINGS, responsesApi: true },
  createdAt: "2025-01-01T00:00:00.000Z",
  updatedAt: "2025-01-01T00:00:00.000Z",
};

describe("the Responses API checkbox", () => {
  it("is sent on a new provider only when ticked", () => {
    const base = { ...newProviderValues(), name: "openai", baseUrl: "https://api.openai.com/v1" };
    expect(validateProvider(base).body.settings).toBeUndefined();
    expect(validateProvider({ ...base, responsesApi: true }).body.settings).toEqual({ responsesApi: true });
  });

  it("shows the stored value and sends a change", () => {
    const values = providerValues(existing);
    expect(values.responsesApi).toBe(true);
    expect(validateProvider(values, existing).body).toEqual({});
    expect(validateProvider({ ...values, responsesApi: false }, existing).body).toEqual({ settings: { responsesApi: false } });
  });

  it("goes off when the kind changes to one that cannot speak it", () => {
    const values = { ...providerValues(existing), kind: "anthropic" as const, baseUrl: "https://api.anthropic.com" };
    expect(validateProvider(values, existing).body.settings).toEqual({ responsesApi: false });
  });
});
