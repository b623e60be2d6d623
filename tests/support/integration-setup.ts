import pg from "pg";
import { afterEach, inject } from "vitest";

// Before any app module binds its pool: every integration file talks to the run's database.
process.env.DATABASE_URL = inject("databaseUrl");

// Tests never talk to the real PeeringDB or a real controller: unless a test points these at a
// simulator, they lead to a closed local port.
process.env.PEERINGDB_API_URL ??= "http://127.0.0.1:9/api";
process.env.PEERINGDB_AUTH_URL ??= "http://127.0.0.1:9";

// A test that timed out leaves its work running (vitest cannot cancel a promise): a deployment
// still holding its LAN's advisory lock would fail the next test with "another deployment is
// running". Whatever a finished test left holding an advisory lock in this database is ended.
afterEach(async () => {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(`
      select pg_terminate_backend(l.pid)
        from pg_locks l join pg_database d on d.oid = l.database
       where l.locktype = 'advisory' and d.datname = current_database() and l.pid <> pg_backend_pid()`);
  } finally {
    await client.end();
  }
});
