import { describe, expect, it } from "vitest";
import { auditChanges } from "@/lib/lists/audit-changes";

describe("auditChanges", () => {
  it("lists only the fields that changed, with their values before and after", () => {
    expect(auditChanges({ state: "requested", asn: 64500, reason: null }, { state: "approved", asn: 64500, reason: null, decided_by: 3 })).toEqual([
      { field: "decided_by", before: undefined, after: "3" },
      { field: "state", before: "requested", after: "approved" },
    ]);
  });

  it("shows a creation as fields added and a deletion as fields removed", () => {
    expect(auditChanges(null, { name: "lan-1" })).toEqual([{ field: "name", before: undefined, after: "lan-1" }]);
    expect(auditChanges({ name: "lan-1" }, null)).toEqual([{ field: "name", before: "lan-1", after: undefined }]);
  });

  it("compares nested values as a whole and shortens long ones", () => {
    const [change] = auditChanges({ prefixes: ["10.0.0.0/8"] }, { prefixes: ["10.0.0.0/8", "x".repeat(300)] });
    expect(change!.field).toBe("prefixes");
    expect(change!.after!.length).toBe(120);
    expect(change!.after!.endsWith("…")).toBe(true);
    expect(auditChanges({ prefixes: ["a"] }, { prefixes: ["a"] })).toEqual([]);
  });

  it("treats values that are not objects as one value", () => {
    expect(auditChanges("off", "on")).toEqual([{ field: "value", before: "off", after: "on" }]);
    expect(auditChanges(null, null)).toEqual([]);
  });
});
