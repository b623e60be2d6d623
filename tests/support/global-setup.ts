import type { TestProject } from "vitest/node";
import { baseDatabase } from "./base-database";
import { createTestDatabase, dropTestDatabase } from "./database";

/** One fresh, migrated database per integration run; dropped afterwards. */
export default async function setup(project: TestProject) {
  const base = await baseDatabase();
  const database = await createTestDatabase(base.url, "ztix_test");
  project.provide("databaseUrl", database.url);
  return async () => {
    await dropTestDatabase(base.url, database.name);
    await base.stop();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}
