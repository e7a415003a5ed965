import { useEffect, useState } from "react";

/** Whole seconds left until `target` (epoch ms), ticking down live; 0 once it has passed, null without a target. */
export function useCountdown(target: number | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (target === null) return;
    setNow(Date.now());
    const timer = setInterval(() => {
      const t = Date.now();
      setNow(t);
      if (t >= target) clearInterval(timer);
    }, 250);
    return () => clearInterval(timer);
  }, [target]);
  return target === null ? null : Math.max(0, Math.ceil((target - now) / 1000));
}
