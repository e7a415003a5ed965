/** The signed-in person's own view: who they are, their teams, and what their current team may use. */
import { z } from "zod";
import { getTeamLimits } from "@/db/queries/auth";
import { isTeamMember, listTeamsOfUser, updateUser } from "@/db/queries/users";
import { parseInput } from "../admin/schemas";
import { endpointsOf } from "../gateway/endpoints/capabilities";
import { forbidden } from "../gateway/errors";
import type { Catalog } from "../gateway/types";
import { availableNames } from "../gateway/resolve";
import { teamOfViewer, type Viewer } from "../server/session";

export async function describeMe(viewer: Viewer) {
  const teams = await listTeamsOfUser({ userId: viewer.userId });
  let currentTeamId: string | null = null;
  try {
    currentTeamId = await teamOfViewer(viewer);
  } catch {
    // not in any team yet: the page says so
  }
  return { id: viewer.userId, email: viewer.email, name: viewer.name, role: viewer.role, teams, currentTeamId };
}

const patchSchema = z.strictObject({ currentTeamId: z.string().min(1).max(64) });

export async function switchTeam(viewer: Viewer, input: unknown) {
  const { currentTeamId } = parseInput(patchSchema, input);
  if (!(await isTeamMember({ userId: viewer.userId, teamId: currentTeamId }))) throw forbidden("You are not a member of that team.");
  await updateUser({ id: viewer.userId, patch: { currentTeamId } });
  return describeMe({ ...viewer, currentTeamId });
}

/** Models and route aliases the current team may use that serve chat, for the chat's picker. */
export async function modelsForViewer(viewer: Viewer, catalog: Catalog) {
  const team = await getTeamLimits({ teamId: await teamOfViewer(viewer) });
  const names = availableNames(catalog, team?.allowedModels ?? null).filter((name) => endpointsOf(name, catalog).includes("chat"));
  return {
    data: names.map((name) => {
      const model = catalog.models.get(name);
      const route = catalog.routes.get(name);
      return model
        ? { id: name, kind: "model" as const, inputPricePerMTok: model.inputMicrosPerMTok / 1e6, outputPricePerMTok: model.outputMicrosPerMTok / 1e6 }
        : { id: name, kind: "route" as const, control: route!.controlModel, candidate: route!.candidateModel };
    }),
  };
}
