import { describe, expect, it } from "vitest";
import { formatUtc } from "@/lib/utc-time";

describe("times as the portal shows them", () => {
  it("shows a moment in UTC to the minute, or to the second, whatever the process's time zone", () => {
    const moment = new Date("2026-12-02T23:59:58.900+01:00");
    expect(formatUtc(moment)).toBe("2026-12-02 22:59 UTC");
    expect(formatUtc(moment, "second")).toBe("2026-12-02 22:59:58 UTC");
    // As PostgreSQL's JSON and the API give it.
    expect(formatUtc("2026-01-05T07:03:00Z")).toBe("2026-01-05 07:03 UTC");
  });
});
