import { describe, expect, it } from "vitest";
import { safeCallbackUrl } from "@/lib/auth/callback-url";
import { clientIpFrom } from "@/lib/auth/client-ip";
import { normalizeUsername, ZUsername } from "@/lib/auth/username";

describe("callback URL after sign-in", () => {
  it("keeps paths on this site", () => {
    expect(safeCallbackUrl("/networks/64500?tab=sessions")).toBe("/networks/64500?tab=sessions");
    expect(safeCallbackUrl(undefined)).toBe("/");
  });

  it("never redirects off-site", () => {
    for (const evil of ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"]) {
      expect(safeCallbackUrl(evil)).toBe("/");
    }
  });

  it("does not loop back to the login page", () => {
    expect(safeCallbackUrl("/login?callbackUrl=/login")).toBe("/");
  });
});

describe("client address", () => {
  const preload = Symbol.for("ztix.socketAddressHeader");
  const withPreload = <T>(run: () => T) => {
    (globalThis as Record<symbol, unknown>)[preload] = "x-ztix-socket-address";
    try {
      return run();
    } finally {
      delete (globalThis as Record<symbol, unknown>)[preload];
    }
  };

  it("is the TCP peer by default: X-Forwarded-For counts for nothing", () => {
    withPreload(() => {
      const headers = new Headers({ "x-forwarded-for": "10.9.9.9", "x-ztix-socket-address": "::ffff:192.0.2.7" });
      expect(clientIpFrom(headers, 0)).toBe("192.0.2.7");
      expect(clientIpFrom({ "x-forwarded-for": "10.9.9.9" }, 0)).toBeNull();
    });
  });

  it("behind N proxies is the Nth entry from the right of X-Forwarded-For", () => {
    withPreload(() => {
      const headers = new Headers({ "x-forwarded-for": "10.9.9.9, 203.0.113.66, 192.0.2.7", "x-ztix-socket-address": "127.0.0.1" });
      expect(clientIpFrom(headers, 1)).toBe("192.0.2.7");
      expect(clientIpFrom(headers, 2)).toBe("203.0.113.66");
      // A request that skipped the outer proxy: the leftmost entry, then the peer.
      expect(clientIpFrom(headers, 5)).toBe("10.9.9.9");
      expect(clientIpFrom(new Headers({ "x-ztix-socket-address": "127.0.0.1" }), 1)).toBe("127.0.0.1");
    });
  });

  it("is unknown when the server runs without the socket-address preload", () => {
    expect(clientIpFrom(new Headers({ "x-forwarded-for": "10.9.9.9", "x-ztix-socket-address": "10.9.9.9" }), 0)).toBeNull();
  });
});

describe("usernames", () => {
  it("normalizes compatibility forms, case and surrounding space", () => {
    expect(normalizeUsername(" Alice ")).toBe("alice");
    expect(normalizeUsername("ＡＬＩＣＥ")).toBe("alice");
    expect(ZUsername.parse("Bob.Smith-2")).toBe("bob.smith-2");
  });

  it("refuses characters outside the allowed set", () => {
    for (const bad of ["a", "with space", "semi;colon", "-leading", "émile", "x".repeat(65)]) {
      expect(ZUsername.safeParse(bad).success).toBe(false);
    }
  });
});
