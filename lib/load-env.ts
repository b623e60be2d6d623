import nextEnv from "@next/env";

/**
 * Loads `.env*` files the way `next start` does, for processes Next does not start itself
 * (worker, CLI, the start supervisor). Variables already set in the environment win.
 */
export function loadEnvFiles(dir = process.cwd()) {
  nextEnv.loadEnvConfig(dir, false, { info: () => undefined, error: console.error });
}
