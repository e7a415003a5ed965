/** Every Postgres twin, by the name of the facade it stands behind (db/queries/<name>.ts). */
import * as apiKeys from "./api-keys";
import * as auth from "./auth";
import * as catalog from "./catalog";
import * as conversations from "./conversations";
import * as events from "./events";
import * as models from "./models";
import * as notifications from "./notifications";
import * as providers from "./providers";
import * as responseCache from "./response-cache";
import * as routes from "./routes";
import * as settings from "./settings";
import * as teams from "./teams";
import * as usage from "./usage";
import * as usageReports from "./usage-reports";
import * as usageRequests from "./usage-requests";
import * as users from "./users";

export const pgQueries: Record<string, Record<string, unknown>> = {
  "api-keys": apiKeys,
  auth,
  catalog,
  conversations,
  events,
  models,
  notifications,
  providers,
  "response-cache": responseCache,
  routes,
  settings,
  teams,
  usage,
  "usage-reports": usageReports,
  "usage-requests": usageRequests,
  users,
};
