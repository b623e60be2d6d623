import { describe, expect, it } from "vitest";
import { formatAddress, normalizeAddress, parseAddress, parsePrefix, prefixContains } from "@/lib/addressing/ip";

describe("IP arithmetic", () => {
  it("round-trips IPv4 and IPv6 in canonical (RFC 5952) form", () => {
    expect(normalizeAddress("192.0.2.10")).toBe("192.0.2.10");
    expect(normalizeAddress("2001:DB8:0:0:0:0:0:1")).toBe("2001:db8::1");
    expect(normalizeAddress("2001:db8:0:0:1:0:0:1")).toBe("2001:db8::1:0:0:1");
    expect(normalizeAddress("2001:db8:ffff:0:a500:6:4500:1")).toBe("2001:db8:ffff:0:a500:6:4500:1");
    expect(normalizeAddress("::ffff:192.0.2.1")).toBe("::ffff:c000:201");
    expect(normalizeAddress("not an address")).toBeNull();
  });

  it("parses prefixes and refuses ones with host bits set", () => {
    expect(parsePrefix("192.0.2.0/24")).toMatchObject({ family: 4, length: 24, text: "192.0.2.0/24" });
    expect(parsePrefix("2001:db8:ffff::/64")).toMatchObject({ family: 6, length: 64 });
    expect(parsePrefix("192.0.2.7/24")).toBeNull();
    expect(parsePrefix("192.0.2.0/33")).toBeNull();
    expect(parsePrefix("192.0.2.0")).toBeNull();
  });

  it("tells whether an address is inside a prefix", () => {
    const prefix = parsePrefix("192.0.2.0/24")!;
    expect(prefixContains(prefix, parseAddress("192.0.2.255")!)).toBe(true);
    expect(prefixContains(prefix, parseAddress("192.0.3.0")!)).toBe(false);
    expect(prefixContains(prefix, parseAddress("2001:db8::1")!)).toBe(false);
    expect(formatAddress(4, prefix.network + 1n)).toBe("192.0.2.1");
  });
});
