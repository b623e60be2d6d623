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
  it("takes the address the nearest trusted proxy saw, not what the client claims", () => {
    const headers = new Headers({ "x-forwarded-for": "203.0.113.66, 192.0.2.7" });
    expect(clientIpFrom(headers)).toBe("192.0.2.7");
    expect(clientIpFrom({ "x-forwarded-for": "::ffff:127.0.0.1" })).toBe("127.0.0.1");
    expect(clientIpFrom(new Headers())).toBeNull();
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
