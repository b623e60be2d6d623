import { describe, expect, it } from "vitest";
import { formatAddress, parseAddress, parsePrefix } from "@/lib/addressing/ip";
import { addressLiteral, prefixListEntry } from "@/lib/routeserver/escape";

/** Random IPv6 text in the forms people write: mixed case, leading zeros, compressed or not. */
function randomIpv6(random: () => number) {
  const groups = Array.from({ length: 8 }, () => (random() < 0.4 ? 0 : Math.floor(random() * 65536)));
  const text = groups.map((group) => (random() < 0.3 ? group.toString(16).toUpperCase().padStart(4, "0") : group.toString(16))).join(":");
  return random() < 0.5 ? text : formatAddress(6, parseAddress(text)!.value);
}

function seeded(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
}

describe("BIRD literals (fast paths agree with the full parser)", () => {
  it("writes every IPv4 and IPv6 address exactly as lib/addressing/ip formats it", () => {
    const random = seeded(7);
    for (let i = 0; i < 3_000; i++) {
      const v6 = randomIpv6(random);
      expect(addressLiteral(v6, 6)).toBe(formatAddress(6, parseAddress(v6)!.value));
      const v4 = Array.from({ length: 4 }, () => Math.floor(random() * 256)).join(".");
      expect(addressLiteral(v4, 4)).toBe(v4);
    }
    expect(addressLiteral("::ffff:192.0.2.1", 6)).toBe("::ffff:c000:201");
    for (const [text, family] of [["01.2.3.4", 4], ["1.2.3", 4], ["2001:db8::1", 4], ["1:2:3:4:5:6:7:8:9", 6], ["1::2::3", 6], ["fe80::1%eth0", 6], ["12345::", 6], ["192.0.2.1", 6]] as const) {
      expect(() => addressLiteral(text, family), text).toThrow(`not an IPv${family} address`);
    }
  });

  it("writes prefix-list entries as lib/addressing/ip's prefixes, and refuses host bits or bad ranges", () => {
    const random = seeded(11);
    for (let i = 0; i < 3_000; i++) {
      const length = Math.floor(random() * 129);
      const v6 = parseAddress(randomIpv6(random))!.value;
      const network = length === 0 ? 0n : (v6 >> BigInt(128 - length)) << BigInt(128 - length);
      const text = `${formatAddress(6, network)}/${length}`;
      expect(prefixListEntry(`${text}+`, 6)).toBe(`${parsePrefix(text)!.text}+`);
      const v4length = length % 33;
      const v4 = Math.floor(random() * 2 ** 32);
      const v4network = v4length === 0 ? 0 : Math.floor(v4 / 2 ** (32 - v4length)) * 2 ** (32 - v4length);
      const v4text = `${formatAddress(4, BigInt(v4network))}/${v4length}`;
      expect(prefixListEntry(v4text, 4)).toBe(parsePrefix(v4text)!.text);
    }
    expect(prefixListEntry("2001:DB8:0::/32{32,48}", 6)).toBe("2001:db8::/32{32,48}");
    for (const [entry, family] of [["192.0.2.7/24", 4], ["2001:db8::1/32", 6], ["192.0.2.0/24{16,24}", 4], ["192.0.2.0/33", 4], ["192.0.2.0/24", 6], ["2001:db8::/32", 4]] as const) {
      expect(() => prefixListEntry(entry, family), entry).toThrow(/prefix-list entry|bad length range/);
    }
  });
});
