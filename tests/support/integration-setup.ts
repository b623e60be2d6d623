import { inject } from "vitest";

// Before any app module binds its pool: every integration file talks to the run's database.
process.env.DATABASE_URL = inject("databaseUrl");

// Tests never talk to the real PeeringDB or a real controller: unless a test points these at a
// simulator, they lead to a closed local port.
process.env.PEERINGDB_API_URL ??= "http://127.0.0.1:9/api";
process.env.PEERINGDB_AUTH_URL ??= "http://127.0.0.1:9";
