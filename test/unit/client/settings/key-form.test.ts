import { describe, expect, it } from "vitest";
import { expiryOfDay, graceInWords, graceSeconds, todayValue } from "@/lib/client/settings/key-form";

describe("a key's expiry picked as a day", () => {
  const now = new Date(2026, 0, 15, 10, 30);

  it("is the end of that day where the browser is, or none when blank", () => {
    expect(expiryOfDay("2026-01-31", now)).toEqual({ value: new Date(2026, 1, 1).toISOString() });
    expect(expiryOfDay("2026-01-15", now)).toEqual({ value: new Date(2026, 0, 16).toISOString() });
    expect(expiryOfDay("", now)).toEqual({ value: null });
  });

  it("is refused before today or when it is not a day", () => {
    expect(expiryOfDay("2026-01-14", now).error).toBe("The expiry must be today or later");
    expect(expiryOfDay("31/01/2026", now).error).toMatch(/^Pick a day/);
    expect(todayValue(now)).toBe("2026-01-15");
  });
});

describe("a rotation's grace period", () => {
  it("comes from a choice or from a number and a unit, at most 30 days", () => {
    expect(graceSeconds("86400", "", 60)).toEqual({ value: 86_400 });
    expect(graceSeconds("0", "", 60)).toEqual({ value: 0 });
    expect(graceSeconds("other", "90", 60)).toEqual({ value: 5400 });
    expect(graceSeconds("other", "30", 86_400)).toEqual({ value: 2_592_000 });
    expect(graceSeconds("other", "31", 86_400).error).toBe("The grace period may be at most 30 days");
    expect(graceSeconds("other", "1.5", 3600).error).toBe("Enter a whole number");
    expect(graceSeconds("other", "", 3600).error).toBe("Enter a whole number");
  });

  it("reads in the largest whole unit", () => {
    expect([0, 1, 90, 120, 7200, 86_400, 172_800].map(graceInWords)).toEqual(["no longer", "1 second", "90 seconds", "2 minutes", "2 hours", "1 day", "2 days"]);
  });
});
