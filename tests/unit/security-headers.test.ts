import { describe, expect, it } from "vitest";
import { newNonce, securityHeaders } from "@/lib/security-headers";

describe("security headers", () => {
  it("allow scripts and styles only from this origin or with the request's nonce, and no framing", () => {
    const nonce = newNonce();
    const headers = securityHeaders(nonce, { NODE_ENV: "production", NEXTAUTH_URL: "http://localhost:3000" });
    const csp = headers["Content-Security-Policy"]!;
    expect(csp).toContain(`script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`);
    expect(csp).toContain(`style-src 'self' 'nonce-${nonce}'`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    expect(headers).toMatchObject({ "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "strict-origin-when-cross-origin" });
    expect(headers["Strict-Transport-Security"]).toBeUndefined();
    expect(newNonce()).not.toBe(nonce);
  });

  it("add HSTS and upgrade-insecure-requests when the portal's URL is https", () => {
    const headers = securityHeaders("n", { NODE_ENV: "production", NEXTAUTH_URL: "https://ix.example.net" });
    expect(headers["Strict-Transport-Security"]).toBe("max-age=63072000; includeSubDomains");
    expect(headers["Content-Security-Policy"]).toContain("upgrade-insecure-requests");
  });
});
