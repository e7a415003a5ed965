// The teams queries, on whichever database this process opened (db/dialect.ts).
import * as sqlite from "../queries-sqlite/teams";
import { facade } from "../dialect";

export const { listTeams, getTeamById, getTeamByName, countTeams, insertTeam, updateTeam, deleteTeam } = facade("teams", sqlite);
