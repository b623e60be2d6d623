/**
 * A moment as the portal shows it everywhere: "2026-12-02 18:51 UTC" (with seconds where a
 * reading's age matters). One zone for every viewer, as operators across time zones compare
 * what they see; pure, so server and client components render the same text.
 */
export function formatUtc(value: Date | string, precision: "minute" | "second" = "minute") {
  return `${new Date(value).toISOString().slice(0, precision === "minute" ? 16 : 19).replace("T", " ")} UTC`;
}
