import { describe, expect, it } from "vitest";
import { assertTransition, canTransition, CONNECTION_STATES } from "@/lib/connections/state";

describe("connection lifecycle", () => {
  it("follows requested → approved → provisioning → provisioned → active", () => {
    expect(canTransition("requested", "approved")).toBe(true);
    expect(canTransition("approved", "provisioning")).toBe(true);
    expect(canTransition("provisioning", "provisioned")).toBe(true);
    expect(canTransition("provisioned", "active")).toBe(true);
  });

  it("refuses illegal changes with a message that says what is and what was asked", () => {
    expect(() => assertTransition("requested", "provisioned")).toThrow("The connection is requested; it cannot become provisioned.");
    expect(() => assertTransition("removed", "approved")).toThrow("it cannot become approved");
    expect(() => assertTransition("rejected", "approved")).toThrow();
  });

  it("ends nowhere after rejected or removed", () => {
    for (const to of CONNECTION_STATES) {
      expect(canTransition("rejected", to)).toBe(false);
      expect(canTransition("removed", to)).toBe(false);
    }
  });

  it("lets a failed connection be retried or removed", () => {
    expect(canTransition("failed", "provisioning")).toBe(true);
    expect(canTransition("failed", "removing")).toBe(true);
    expect(canTransition("failed", "active")).toBe(false);
  });
});
