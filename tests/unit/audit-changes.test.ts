import { describe, expect, it } from "vitest";
import { auditChanges } from "@/lib/lists/audit-changes";

describe("auditChanges", () => {
  it("lists only the fields that changed, with their values before and after", () => {
    expect(auditChanges({ state: "requested", asn: 64500, reason: null }, { state: "approved", asn: 64500, reason: null, decided_by: 3 })).toEqual([
      { field: "decided_by", before: undefined, after: "3" },
      { field: "state", before: "requested", after: "approved" },
    ]);
  });

  it("takes a field the after-object leaves out as unchanged, and a null as cleared", () => {
    // A retry records the whole connection before and only its new state after: its addresses stay.
    expect(auditChanges({ state: "failed", ipv4: "192.0.2.12", ipv6: "2001:db8::12", reason: "controller refused" }, { state: "provisioning" })).toEqual([
      { field: "state", before: "failed", after: "provisioning" },
    ]);
    expect(auditChanges({ state: "failed", reason: "controller refused" }, { state: "failed", reason: null })).toEqual([{ field: "reason", before: "controller refused", after: "none" }]);
  });

  it("shows a creation as fields added and a deletion as fields removed", () => {
    expect(auditChanges(null, { name: "lan-1" })).toEqual([{ field: "name", before: undefined, after: "lan-1" }]);
    expect(auditChanges({ name: "lan-1" }, null)).toEqual([{ field: "name", before: "lan-1", after: undefined }]);
  });

  it("compares nested values as a whole and shortens long ones", () => {
    const [change] = auditChanges({ prefixes: ["10.0.0.0/8"] }, { prefixes: ["10.0.0.0/8", "x".repeat(600)] });
    expect(change!.field).toBe("prefixes");
    expect(change!.after!.length).toBe(300);
    expect(change!.after!.endsWith("…")).toBe(true);
    expect(auditChanges({ prefixes: ["a"] }, { prefixes: ["a"] })).toEqual([]);
  });

  it("writes values as a person reads them: none, lists with commas, flat objects as key: value", () => {
    expect(auditChanges({ addresses: null, via: null }, { addresses: ["192.0.2.1", "2001:db8:ffff::1"], via: { method: "password+totp" } })).toEqual([
      { field: "addresses", before: "none", after: "192.0.2.1, 2001:db8:ffff::1" },
      { field: "via", before: "none", after: "method: password+totp" },
    ]);
    expect(auditChanges(null, { nested: { a: [1] } })).toEqual([{ field: "nested", before: undefined, after: '{"a":[1]}' }]);
  });

  it("treats values that are not objects as one value", () => {
    expect(auditChanges("off", "on")).toEqual([{ field: "value", before: "off", after: "on" }]);
    expect(auditChanges(null, null)).toEqual([]);
  });
});
