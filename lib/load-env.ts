import nextEnv from "@next/env";

/**
 * Loads `.env*` files the way `next start` does, for processes Next does not start itself
 * (worker, CLI, the start supervisor). Variables already set in the environment win; those named
 * in `ignore` are never taken from the files (they stay as the environment has them, or unset).
 */
export function loadEnvFiles(dir = process.cwd(), { ignore = [] }: { ignore?: string[] } = {}) {
  const unset = ignore.filter((name) => process.env[name] === undefined);
  nextEnv.loadEnvConfig(dir, false, { info: () => undefined, error: console.error });
  for (const name of unset) delete process.env[name];
}
