"use client";
import Link from "next/link";
import { errorMessage } from "@/lib/client/api";
import { useTeamChoices } from "@/lib/client/users";

/** Checkboxes for the teams a person belongs to; they chat on the budget of one of them at a time. */
export function TeamPicker(props: { id: string; value: string[]; onChange: (teamIds: string[]) => void; error?: string; disabled?: boolean }) {
  const teams = useTeamChoices();
  const errorId = `${props.id}-error`;
  const hintId = `${props.id}-hint`;
  const toggle = (teamId: string, on: boolean) => props.onChange(on ? [...props.value, teamId] : props.value.filter((t) => t !== teamId));

  return (
    <fieldset className="fieldset team-picker" aria-describedby={props.error ? errorId : hintId} data-testid={props.id}>
      <legend>Teams</legend>
      {teams.error ? (
        <p className="form-error" role="alert">
          Could not load teams: {errorMessage(teams.error)}
        </p>
      ) : !teams.data ? (
        <p className="muted small">Loading teams…</p>
      ) : teams.data.length === 0 ? (
        <p className="muted small">
          There are no teams yet. <Link href="/settings/teams">Create a team</Link> first; people chat on a team&apos;s budget.
        </p>
      ) : (
        <div className="check-grid">
          {teams.data.map((t) => (
            <label key={t.id} className="checkbox">
              <input type="checkbox" checked={props.value.includes(t.id)} disabled={props.disabled} onChange={(e) => toggle(t.id, e.target.checked)} />
              {t.name}
            </label>
          ))}
        </div>
      )}
      {props.error ? (
        <p className="field-error" id={errorId} data-testid={errorId}>
          {props.error}
        </p>
      ) : (
        <p className="field-hint" id={hintId}>
          {props.value.length === 0 ? "Without a team this person can sign in but not chat." : `${props.value.length} team(s) ticked.`}
        </p>
      )}
    </fieldset>
  );
}
