import pg from "pg";
import { migrateToLatest } from "@/db/migrate";

/** Refuses to create or drop databases anywhere but on this machine. */
export function assertLocalDatabase(url: string) {
  const host = new URL(url).hostname;
  if (!["127.0.0.1", "localhost", "::1", "[::1]", ""].includes(host)) {
    throw new Error(`tests only run against a local PostgreSQL, not ${host}`);
  }
}

function withDatabase(url: string, database: string) {
  const next = new URL(url);
  next.pathname = `/${database}`;
  return next.toString();
}

/** Creates a fresh, migrated database next to `baseUrl` and returns its URL. */
export async function createTestDatabase(baseUrl: string, prefix: string) {
  assertLocalDatabase(baseUrl);
  const name = `${prefix}_${Date.now()}_${process.pid}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(baseUrl, name);
  await migrateToLatest(url);
  return { name, url };
}

export async function dropTestDatabase(baseUrl: string, name: string) {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await admin.end();
  }
}
