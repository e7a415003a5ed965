/** Accounts and teams for browser tests, set up through the admin API with the admin token. */
import type { TestServer } from "../helpers/server";

export const ADMIN = { email: "admin@example.com", password: "admin-password-1" };
export const MEMBER = { email: "member@example.com", password: "member-password-1" };

/** Environment for a server with the demo data and the first admin from the environment. */
export const DEMO_ENV = {
  SWITCHYARD_DEMO: "1",
  SWITCHYARD_ADMIN_EMAIL: ADMIN.email,
  SWITCHYARD_ADMIN_PASSWORD: ADMIN.password,
};

export async function must<T = Record<string, any>>(res: Response): Promise<T> {
  const body = await res.json();
  if (!res.ok) throw new Error(`${res.status} ${JSON.stringify(body)}`);
  return body as T;
}

interface Named {
  id: string;
  name: string;
}

export async function teamByName(s: TestServer, name: string): Promise<Named> {
  const { data } = await must<{ data: Named[] }>(await s.admin("/api/admin/teams"));
  const team = data.find((t) => t.name === name);
  if (!team) throw new Error(`no team named ${name}`);
  return team;
}

export async function userByEmail(s: TestServer, email: string): Promise<{ id: string; email: string }> {
  const { data } = await must<{ data: Array<{ id: string; email: string }> }>(await s.admin("/api/admin/users"));
  const user = data.find((u) => u.email === email);
  if (!user) throw new Error(`no user ${email}`);
  return user;
}

export async function setTeams(s: TestServer, userId: string, teamIds: string[]): Promise<void> {
  await must(await s.admin(`/api/admin/users/${userId}`, { method: "PATCH", json: { teamIds } }));
}

/** Changes how a simulated model behaves, e.g. slower so a test can watch it stream. */
export async function tuneModel(s: TestServer, name: string, simulator: Record<string, number>): Promise<void> {
  const { data } = await must<{ data: Named[] }>(await s.admin("/api/admin/models"));
  const model = data.find((m) => m.name === name);
  if (!model) throw new Error(`no model ${name}`);
  await must(await s.admin(`/api/admin/models/${model.id}`, { method: "PATCH", json: { simulator } }));
}

/** Polls `check` until it returns a value other than undefined. */
export async function eventually<T>(check: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error("timed out waiting for a condition");
    await new Promise((r) => setTimeout(r, 25));
  }
}
