"use client";
import { useState, type ReactNode } from "react";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { errorMessage } from "@/lib/client/api";
import { formatPercent } from "@/lib/client/format";
import { useRouteAction, type RouteAction, type RouteView } from "@/lib/client/routes";

interface ActionSpec {
  action: RouteAction;
  label: string;
  /** Why the button is disabled, or null when the action is allowed (mirrors the API's rules). */
  blocked: (r: RouteView) => string | null;
  title: string;
  body: (r: RouteView) => ReactNode;
  danger?: boolean;
}

const needsCandidate = (r: RouteView) => (r.candidate ? null : "This route has no candidate.");
const activeOnly = (r: RouteView) => (r.status === "running" || r.status === "paused" ? needsCandidate(r) : `The route is ${r.status.replace("_", " ")}.`);

const ACTIONS: ActionSpec[] = [
  {
    action: "pause",
    label: "Pause",
    blocked: (r) => (r.status === "running" ? null : "Only a running route can be paused."),
    title: "Pause this route?",
    body: (r) => <>The split stays at {formatPercent(r.candidateWeight)} for the candidate, but the evaluator stops judging it and nothing advances until you resume.</>,
  },
  {
    action: "resume",
    label: "Resume",
    blocked: (r) => (r.status === "paused" ? null : "Only a paused route can be resumed."),
    title: "Resume this route?",
    body: () => <>The evaluator starts judging the split again. The stage clock restarts: paused time does not count as healthy time.</>,
  },
  {
    action: "rollback",
    label: "Roll back",
    blocked: activeOnly,
    title: "Roll back the candidate?",
    body: (r) => (
      <>
        All traffic goes back to <strong>{r.control}</strong>. The candidate&apos;s weight becomes 0 % and the route stays rolled back until
        you give the candidate a new weight.
      </>
    ),
    danger: true,
  },
  {
    action: "promote",
    label: "Promote",
    blocked: activeOnly,
    title: "Promote the candidate?",
    body: (r) => (
      <>
        <strong>{r.candidate}</strong> becomes the control and serves all traffic through this route; <strong>{r.control}</strong> is no
        longer used by it.
      </>
    ),
  },
];

export function RouteActions({ route }: { route: RouteView }) {
  const [pending, setPending] = useState<ActionSpec | null>(null);
  const act = useRouteAction(route.id);

  const close = () => {
    setPending(null);
    act.reset();
  };

  return (
    <div className="actions" role="group" aria-label="Route actions">
      {ACTIONS.map((a) => {
        const blocked = a.blocked(route);
        return (
          <button
            key={a.action}
            type="button"
            className={`button${a.danger ? " button-danger-outline" : ""}`}
            disabled={blocked !== null}
            title={blocked ?? undefined}
            onClick={() => {
              act.reset();
              setPending(a);
            }}
          >
            {a.label}
          </button>
        );
      })}
      <ConfirmDialog
        open={pending !== null}
        title={pending?.title ?? ""}
        danger={pending?.danger}
        busy={act.isPending}
        error={act.error ? errorMessage(act.error) : null}
        onCancel={close}
        onConfirm={() => {
          if (pending) act.mutate(pending.action, { onSuccess: close });
        }}
      >
        {pending ? <p>{pending.body(route)}</p> : null}
      </ConfirmDialog>
    </div>
  );
}
