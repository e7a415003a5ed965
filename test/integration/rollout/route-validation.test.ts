/** The routes admin API refuses settings that would make a split meaningless, with a clear 400. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../../helpers/server";

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ env: { SWITCHYARD_DEMO: "1" } });
});

afterAll(async () => {
  await server?.stop();
});

const create = (json: Record<string, unknown>) => server.admin("/api/admin/routes", { method: "POST", json: { name: "r1", control: "sim-balanced", candidate: "sim-fast", ...json } });

async function refusal(res: Response) {
  expect(res.status).toBe(400);
  return (await res.json()).error as { message: string; param: string | null; code: string | null; type: string };
}

describe("route validation", () => {
  it.each([
    [{ candidateWeight: 150 }, "candidateWeight", /between 0 and 100/],
    [{ candidateWeight: -1 }, "candidateWeight", /between 0 and 100/],
    [{ stages: [5, 50, 25] }, "stages", /strictly increasing/],
    [{ stages: [0, 50] }, "stages[0]", /above 0/],
    [{ control: "no-such-model" }, "control", /Unknown model/],
    [{ candidate: "nope" }, "candidate", /Unknown model/],
    [{ name: "sim-fast" }, "name", /already a model name/],
    [{ candidate: "sim-balanced" }, "candidate", /differ from the control/],
    [{ guardrails: { maxErrorRate: 2 } }, "guardrails.maxErrorRate", /./],
  ])("refuses %j", async (body, param, message) => {
    const error = await refusal(await create(body));
    expect(error.type).toBe("invalid_request_error");
    expect(error.param).toBe(param);
    expect(error.message).toMatch(message);
  });

  it("refuses an invalid PATCH and leaves the route as it was", async () => {
    const route = await (await server.admin("/api/admin/routes")).json();
    const demo = route.data[0];
    const error = await refusal(await server.admin(`/api/admin/routes/${demo.id}`, { method: "PATCH", json: { candidateWeight: 101 } }));
    expect(error.param).toBe("candidateWeight");
    const after = await (await server.admin(`/api/admin/routes/${demo.id}`)).json();
    expect(after.candidateWeight).toBe(demo.candidateWeight);
  });

  it("refuses a model that would shadow an existing route", async () => {
    const providers = (await (await server.admin("/api/admin/providers")).json()).data;
    const res = await server.admin("/api/admin/models", {
      method: "POST",
      json: { name: "sim-chat", providerId: providers[0].id, upstreamModel: "x", inputPricePerMTok: 1, outputPricePerMTok: 1 },
    });
    const error = await refusal(res);
    expect(error.param).toBe("name");
  });
});
