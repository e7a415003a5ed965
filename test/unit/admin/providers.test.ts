/** The provider admin service's Responses API setting, over the real migrations in memory. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createProvider, patchProvider } from "@/lib/admin/providers";
import { GatewayError } from "@/lib/gateway/errors";
import { createHarness, type Harness } from "../../helpers/gateway";

let h: Harness;
beforeEach(() => (h = createHarness()));
afterEach(() => h.close());

const openAi = (settings: Record<string, unknown>) => ({ name: `p-${Math.random()}`, kind: "openai-compatible", baseUrl: "https://api.example.com/v1", settings });

async function refused(action: () => Promise<unknown>): Promise<GatewayError> {
  try {
    await action();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error("accepted");
}

describe("settings.responsesApi", () => {
  it("is off unless set, and can be set on an openai-compatible provider and put back to the default", async () => {
    expect((await createProvider(h.admin, openAi({}))).settings.responsesApi).toBe(false);
    const p = await createProvider(h.admin, openAi({ responsesApi: true }));
    expect(p.settings.responsesApi).toBe(true);
    expect((await h.gateway.deps.store.catalog()).providers.get(p.id)!.settings.responsesApi).toBe(true);
    expect((await patchProvider(h.admin, p.id, { settings: { responsesApi: null } })).settings.responsesApi).toBe(false);
    expect((await patchProvider(h.admin, p.id, { settings: { responsesApi: true } })).settings.responsesApi).toBe(true);
  });

  it("is refused for kinds that do not speak OpenAI's API, and a kind change that would leave it on", async () => {
    expect(await refused(() => createProvider(h.admin, { name: "sim", kind: "simulator", settings: { responsesApi: true } }))).toMatchObject({ status: 400, param: "settings.responsesApi" });
    const p = await createProvider(h.admin, openAi({ responsesApi: true }));
    expect(await refused(() => patchProvider(h.admin, p.id, { kind: "anthropic" }))).toMatchObject({ status: 400, param: "settings.responsesApi" });
    expect(await patchProvider(h.admin, p.id, { kind: "anthropic", settings: { responsesApi: false } })).toMatchObject({ kind: "anthropic", settings: { responsesApi: false } });
  });

  it("must be a boolean", async () => {
    expect(await refused(() => createProvider(h.admin, openAi({ responsesApi: "yes" })))).toMatchObject({ status: 400, param: "settings.responsesApi" });
  });
});
