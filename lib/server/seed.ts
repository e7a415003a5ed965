/**
 * First-start demo data, so the gateway answers with no network and no setup: a simulator
 * provider, three simulated chat models and an embeddings model, a route splitting traffic between
 * two of them, a team and a key. Runs through the admin services, so the demo obeys the same
 * validation as anything an admin creates.
 */
import { countProviders } from "@/db/queries/providers";
import { getSetting, setSetting } from "@/db/queries/settings";
import { countTeams } from "@/db/queries/teams";
import { adminContext } from "../admin/context";
import { createTeamKey } from "../admin/keys";
import { createModel } from "../admin/models";
import { createProvider } from "../admin/providers";
import { createRoute } from "../admin/routes";
import { createTeam } from "../admin/teams";
import type { Runtime } from "./runtime";

const DEMO_SEEDED = "demo_seeded";
export const DEMO_TEAM_NAME = "Demo team";

export async function seedDemo(runtime: Runtime): Promise<void> {
  // Seed only a brand-new database: never on top of an admin's own setup, never twice
  // (the marker stays after an admin deletes the demo data).
  if ((await getSetting({ key: DEMO_SEEDED })) !== undefined || (await countProviders()) > 0 || (await countTeams()) > 0) return;

  const ctx = adminContext(runtime);
  const provider = await createProvider(ctx, { name: "Built-in simulator", kind: "simulator" });
  const model = (name: string, sim: { ttftMs: number; tokensPerSecond: number }, prices: [number, number], maxOutputTokens: number, fallbacks: string[] = []) =>
    createModel(ctx, {
      name,
      providerId: provider.id,
      upstreamModel: name,
      inputPricePerMTok: prices[0],
      outputPricePerMTok: prices[1],
      maxOutputTokens,
      fallbacks,
      simulator: sim,
    });
  // Created fastest first: each fallback must exist before a model may name it.
  await model("sim-fast", { ttftMs: 40, tokensPerSecond: 250 }, [0.1, 0.4], 1024);
  await model("sim-balanced", { ttftMs: 150, tokensPerSecond: 90 }, [1, 4], 2048, ["sim-fast"]);
  await model("sim-slow", { ttftMs: 400, tokensPerSecond: 35 }, [5, 15], 4096, ["sim-balanced"]);
  // Embeddings only, priced like OpenAI's text-embedding-3-small: input tokens, no output.
  await createModel(ctx, {
    name: "sim-embed",
    providerId: provider.id,
    upstreamModel: "sim-embed",
    inputPricePerMTok: 0.02,
    outputPricePerMTok: 0,
    endpoints: ["embeddings"],
    simulator: { ttftMs: 30 },
  });

  // A split a first-time user can watch: "sim-chat" sends a share of traffic to sim-fast and
  // advances (or rolls back) on its own as requests flow.
  await createRoute(ctx, {
    name: "sim-chat",
    control: "sim-balanced",
    candidate: "sim-fast",
    evalIntervalSeconds: 15,
    minStageSeconds: 120,
    guardrails: { minSamples: 20 },
  });

  const team = await createTeam(ctx, { name: DEMO_TEAM_NAME, dailyBudgetUsd: 5 });
  const key = await createTeamKey(ctx, team.id, { name: "demo key" });

  await setSetting({ key: DEMO_SEEDED, value: new Date(runtime.now()).toISOString(), now: runtime.now() });
  runtime.banner.push(`Demo API key (shown once): ${key.key}`);
  runtime.log.info("seeded demo data", { providerId: provider.id, teamId: team.id });
}
