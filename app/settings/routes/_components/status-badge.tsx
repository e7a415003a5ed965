import { statusWords } from "@/lib/client/route-events";
import type { RouteStatus } from "@/lib/client/routes";

export function StatusBadge({ status }: { status: RouteStatus }) {
  return (
    <span className={`badge badge-${status.replace("_", "-")}`} data-testid="status-badge">
      {statusWords(status)}
    </span>
  );
}
