import { inject } from "vitest";

// Before any app module binds its pool: every integration file talks to the run's database.
process.env.DATABASE_URL = inject("databaseUrl");
