"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { errorMessage } from "@/lib/client/api";
import { formatCount } from "@/lib/client/format";
import { useTeams, type TeamView } from "@/lib/client/settings/teams";
import { SpendBar } from "./_components/spend-bar";
import { TeamForm } from "./_components/team-form";
import "../_styles/settings-pages.css";

export default function TeamsPage() {
  const router = useRouter();
  const teams = useTeams();
  return (
    <main className="page">
      <title>Teams · Switchyard</title>
      <div className="page-head">
        <h1>Teams</h1>
        <p className="muted">Who pays: each team has budgets, rate limits, the models it may use, API keys and members.</p>
      </div>
      {teams.error ? (
        <p className="form-error" role="alert">
          Could not load teams: {errorMessage(teams.error)}
        </p>
      ) : null}
      {!teams.data ? (
        teams.isPending ? <p className="muted">Loading teams…</p> : null
      ) : teams.data.length === 0 ? (
        <div className="card empty" data-testid="teams-empty">
          <h2>No teams yet</h2>
          <p>
            Create one below. Programs call the gateway with a team&apos;s API key, and people chat as members of a team; either way the
            team&apos;s budgets and limits apply and its spend is recorded.
          </p>
          <p className="muted">After creating a team, open it to create API keys and add members.</p>
        </div>
      ) : (
        <TeamsTable teams={teams.data} />
      )}
      <TeamForm onDone={(t) => router.push(`/settings/teams/${t.id}`)} />
    </main>
  );
}

function TeamsTable({ teams }: { teams: TeamView[] }) {
  return (
    <div className="card card-flush">
      <table className="table table-stack" data-testid="teams-table">
        <thead>
          <tr>
            <th>Team</th>
            <th className="spend-col">Today</th>
            <th className="spend-col">This month</th>
            <th className="num">RPM</th>
            <th className="num">TPM</th>
            <th>Models</th>
          </tr>
        </thead>
        <tbody>
          {teams.map((t) => (
            <tr key={t.id} data-testid="team-row" data-team={t.name}>
              <td className="wrap team-name-cell" data-label="Team">
                <Link href={`/settings/teams/${t.id}`} className="strong-link">
                  {t.name}
                </Link>
              </td>
              <td className="spend-col" data-label="Today">
                <SpendBar label="Today" spent={t.spentTodayUsd} cap={t.dailyBudgetUsd} thresholdPct={t.alertThresholdPct} testId="spend-day" compact />
              </td>
              <td className="spend-col" data-label="This month">
                <SpendBar label="This month" spent={t.spentThisMonthUsd} cap={t.monthlyBudgetUsd} thresholdPct={t.alertThresholdPct} testId="spend-month" compact />
              </td>
              <td className="num" data-label="RPM">{t.rpmLimit === null ? <span className="muted">—</span> : formatCount(t.rpmLimit)}</td>
              <td className="num" data-label="TPM">{t.tpmLimit === null ? <span className="muted">—</span> : formatCount(t.tpmLimit)}</td>
              <td data-label="Models">{t.allowedModels === null ? <span className="muted">all</span> : `${t.allowedModels.length} allowed`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
