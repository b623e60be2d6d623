import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const emptyModule = fileURLToPath(new URL("./tests/support/empty-module.ts", import.meta.url));

export default defineConfig({
  resolve: { tsconfigPaths: true, alias: { "server-only": emptyModule } },
  test: {
    environment: "node",
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["tests/unit/**/*.test.ts", "tests/contract/**/*.test.ts"],
          // A few unit tests start a process (tsx): seconds each on a loaded 2-core machine.
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["tests/integration/**/*.integration.test.ts"],
          globalSetup: ["tests/support/global-setup.ts"],
          setupFiles: ["tests/support/integration-setup.ts"],
          // One database per run: files share it, so they run one after another.
          fileParallelism: false,
          // Sized for a loaded 2-core machine (load average 12+), not a quiet one.
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
