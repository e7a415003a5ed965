import { describe, expect, it } from "vitest";
import {
  dayKey,
  monthKey,
  msUntilNextUtcDay,
  msUntilNextUtcMonth,
  startOfUtcDay,
  startOfUtcMonth,
} from "@/lib/gateway/period";

const at = (iso: string) => Date.parse(iso);

describe("UTC periods", () => {
  it("keys and starts follow UTC, not local time", () => {
    const now = at("2025-03-31T23:59:59.999Z");
    expect(dayKey(now)).toBe("2025-03-31");
    expect(monthKey(now)).toBe("2025-03");
    expect(startOfUtcDay(now)).toBe(at("2025-03-31T00:00:00Z"));
    expect(startOfUtcMonth(now)).toBe(at("2025-03-01T00:00:00Z"));
  });

  it("time to the next day and month, including year end and leap February", () => {
    expect(msUntilNextUtcDay(at("2025-06-10T23:00:00Z"))).toBe(3_600_000);
    expect(msUntilNextUtcDay(at("2025-06-10T00:00:00Z"))).toBe(86_400_000);
    expect(msUntilNextUtcMonth(at("2025-12-31T23:59:59Z"))).toBe(1000);
    // 2024-02-28 12:00 → 2024-03-01 00:00 is 1.5 days (29 February exists).
    expect(msUntilNextUtcMonth(at("2024-02-28T12:00:00Z"))).toBe(36 * 3_600_000);
    expect(monthKey(at("2026-01-01T00:00:00Z"))).toBe("2026-01");
  });
});
