"use client";
import Link from "next/link";
import { useParams, useRouter } from "next/navigation";
import { useState } from "react";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { ApiError, errorMessage } from "@/lib/client/api";
import { formatDateTime } from "@/lib/client/format";
import { formatUsd } from "@/lib/client/settings/money";
import { useDeleteTeam, useTeam, type TeamDetailView } from "@/lib/client/settings/teams";
import { SpendBar } from "../_components/spend-bar";
import { TeamForm } from "../_components/team-form";
import { TeamKeys } from "../_components/team-keys";
import { TeamMembers } from "../_components/team-members";
import "../../_styles/settings-pages.css";

export default function TeamPage() {
  const { id } = useParams<{ id: string }>();
  const team = useTeam(id);

  if (team.error && !team.data) {
    const missing = team.error instanceof ApiError && team.error.status === 404;
    return (
      <main className="page">
        <title>{`${missing ? "Team not found" : "Team"} · Switchyard`}</title>
        <Breadcrumb />
        <div className="card">
          <h1>{missing ? "Team not found" : "Could not load the team"}</h1>
          <p role="alert">{errorMessage(team.error)}</p>
          <Link href="/settings/teams">Back to all teams</Link>
        </div>
      </main>
    );
  }
  if (!team.data) {
    return (
      <main className="page">
        <title>Team · Switchyard</title>
        <Breadcrumb />
        <p className="muted">Loading team…</p>
      </main>
    );
  }
  const t = team.data;
  return (
    <main className="page">
      <title>{`${t.name} · Teams · Switchyard`}</title>
      <Breadcrumb current={t.name} />
      <header className="card team-header">
        <div className="team-title">
          <h1>{t.name}</h1>
          {team.error ? (
            <span className="stale" role="status">
              not refreshing: {errorMessage(team.error)}
            </span>
          ) : null}
        </div>
        <div className="spend-pair">
          <SpendBar label="Today (UTC)" spent={t.budget.day.spentUsd} reserved={t.budget.day.reservedUsd} cap={t.budget.day.capUsd} thresholdPct={t.alertThresholdPct} testId="team-spend-day" />
          <SpendBar label="This month" spent={t.budget.month.spentUsd} reserved={t.budget.month.reservedUsd} cap={t.budget.month.capUsd} thresholdPct={t.alertThresholdPct} testId="team-spend-month" />
        </div>
        {t.budget.day.reservedUsd > 0 || t.budget.month.reservedUsd > 0 ? (
          <p className="muted small">The lighter part of a bar is reserved by requests in flight, at their worst-case cost.</p>
        ) : null}
      </header>
      <TeamKeys teamId={t.id} />
      <TeamMembers teamId={t.id} />
      <TeamForm key={t.id} team={t} onDone={() => {}} />
      <Alerts team={t} />
      <DeleteTeam team={t} />
    </main>
  );
}

/** Teams / <this team>, or just the way back while the team loads. */
function Breadcrumb({ current }: { current?: string }) {
  return (
    <nav aria-label="Breadcrumb" className="breadcrumb">
      <ol>
        <li>
          <Link href="/settings/teams">Teams</Link>
        </li>
        {current ? <li aria-current="page">{current}</li> : null}
      </ol>
    </nav>
  );
}

function Alerts({ team }: { team: TeamDetailView }) {
  if (team.alerts.length === 0) return null;
  return (
    <section className="card" aria-labelledby="alerts-title">
      <h2 id="alerts-title">Budget alerts</h2>
      <ul className="plain-list alert-list">
        {team.alerts.map((a) => {
          const d = a.data as { period?: string; thresholdPct?: number; spentMicros?: number; capMicros?: number };
          return (
            <li key={a.id}>
              <time className="muted small">{formatDateTime(a.createdAt)}</time> {d.period === "month" ? "Monthly" : "Daily"} spend reached{" "}
              {d.thresholdPct ?? "?"} % of the cap: {formatUsd((d.spentMicros ?? 0) / 1e6)} of {formatUsd((d.capMicros ?? 0) / 1e6)}.
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function DeleteTeam({ team }: { team: TeamDetailView }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const del = useDeleteTeam();
  const close = () => {
    setOpen(false);
    del.reset();
  };
  return (
    <section className="card danger-zone" aria-labelledby="delete-title">
      <h2 id="delete-title">Delete this team</h2>
      <p className="muted small">Its keys stop working and its members lose access through it. Recorded usage stays in the reports.</p>
      <button type="button" className="button button-danger-outline" onClick={() => setOpen(true)}>
        Delete team
      </button>
      <ConfirmDialog
        open={open}
        title={`Delete team ${team.name}?`}
        confirmLabel="Delete team"
        danger
        busy={del.isPending}
        error={del.error ? errorMessage(del.error) : null}
        onCancel={close}
        onConfirm={() => del.mutate(team.id, { onSuccess: () => router.push("/settings/teams") })}
      >
        <p>All of its API keys are deleted and stop working at once. This cannot be undone.</p>
      </ConfirmDialog>
    </section>
  );
}
