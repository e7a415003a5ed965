"use client";
import Link from "next/link";
import { useModels } from "@/lib/client/settings/models";
import { useRouteNames, useTeams, useUsers } from "@/lib/client/settings/teams";
import { useKeyNames } from "@/lib/client/usage/reports";
import { useLogFilters } from "@/lib/client/usage/request-log";
import { RequestLog } from "./request-log";

/** Every request through the gateway, for admins. */
export function RequestLogPage() {
  const { filters, update } = useLogFilters();
  const teams = useTeams();
  const users = useUsers();
  const models = useModels();
  const routes = useRouteNames();
  const keyNames = useKeyNames(filters.teamId ? [filters.teamId] : []);
  return (
    <main className="page page-wide usage-page">
      <div className="page-head">
        <p className="breadcrumb">
          <Link href="/usage">Usage</Link> / Requests
        </p>
        <h1>Requests</h1>
        <p className="muted">Every request through the gateway, newest first, whatever its outcome. Pick one for its timings, routing and cost.</p>
      </div>
      <RequestLog
        base="/api/usage/requests"
        filters={filters}
        onChange={update}
        showCaller
        choices={{
          teamId: { label: "Team", all: "Every team", options: (teams.data ?? []).map((t) => ({ value: t.id, label: t.name })) },
          ...(filters.teamId ? { keyId: { label: "API key", all: "Every key", options: [...keyNames].map(([value, label]) => ({ value, label })) } } : {}),
          userId: { label: "User", all: "Every user", options: (users.data ?? []).map((u) => ({ value: u.id, label: u.email })) },
          model: { label: "Model", all: "Every model", options: (models.data ?? []).map((m) => ({ value: m.name, label: m.name })) },
          route: { label: "Route", all: "Every route", options: (routes.data ?? []).map((r) => ({ value: r, label: r })) },
        }}
      />
    </main>
  );
}
