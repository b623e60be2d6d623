import "server-only";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { DEFAULT_PREPARED_STATEMENTS, prepareStatements } from "./prepared-statements";
import type { DB } from "./schema.generated";

export type Database = DB;
export type Db = Kysely<Database>;

// int8 counts and ids come back as strings by default; ours fit in a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export function createPool(connectionString: string, options: pg.PoolConfig = {}) {
  const pool = new pg.Pool({ connectionString, max: 10, connectionTimeoutMillis: 5_000, ...options });
  // An idle client whose server went away emits "error"; unhandled, it would kill the process.
  pool.on("error", (error) => console.error(`database: idle connection lost: ${error.message}`));
  const prepared = preparedStatementLimit();
  pool.on("connect", (client) => {
    client.on("error", (error) => console.error(`database: connection lost: ${error.message}`));
    prepareStatements(client, prepared);
  });
  return pool;
}

/** ZTIX_DB_PREPARED_STATEMENTS (validated at start by lib/config.ts): statements each connection prepares. */
function preparedStatementLimit() {
  const value = Number(process.env.ZTIX_DB_PREPARED_STATEMENTS || DEFAULT_PREPARED_STATEMENTS);
  return Number.isSafeInteger(value) && value >= 0 ? value : DEFAULT_PREPARED_STATEMENTS;
}

export function createDb(pool: pg.Pool): Db {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

type DbGlobal = { ztixDb?: { url: string; db: Db; pool: pg.Pool } };
const holder = globalThis as DbGlobal;

/** The process-wide database handle (kept on globalThis so dev reloads do not leak pools). */
export function getDb(): Db {
  return getDbHandle().db;
}

export function getPool(): pg.Pool {
  return getDbHandle().pool;
}

function getDbHandle() {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set (the start command sets it for the embedded PostgreSQL)");
  if (!holder.ztixDb || holder.ztixDb.url !== url) {
    const pool = createPool(url);
    holder.ztixDb = { url, pool, db: createDb(pool) };
  }
  return holder.ztixDb;
}

export async function closeDb() {
  const handle = holder.ztixDb;
  holder.ztixDb = undefined;
  if (handle) await handle.db.destroy();
}
