// The users queries, on whichever database this process opened (db/dialect.ts).
import * as sqlite from "../queries-sqlite/users";
import { facade } from "../dialect";

export const { countUsers, listUsers, getUserById, getUserByEmail, updateUser, deleteUser, listTeamsOfUser, isTeamMember, setTeamsOfUser, listExistingTeamIds } = facade("users", sqlite);
