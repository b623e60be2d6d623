import "server-only";
import { sql, type Kysely } from "kysely";
import type { Database } from "@/db";
import type { TaskName, TaskPayload } from "./payloads";

export type EnqueueOptions = {
  /** Task-prefixed key (`provision_connection:42`): a second add replaces a waiting job. */
  jobKey?: string;
  jobKeyMode?: "replace" | "preserve_run_at";
  maxAttempts: number;
  runAt?: Date;
  queueName?: string;
  priority?: number;
};

/**
 * Enqueues a job on the caller's connection or transaction through graphile_worker.add_job,
 * so the job exists exactly when the write that caused it commits.
 */
export async function enqueueJob<T extends TaskName>(
  db: Kysely<Database>,
  task: T,
  payload: TaskPayload<T>,
  options: EnqueueOptions,
): Promise<{ id: string }> {
  const result = await sql<{ id: string | null }>`
    select (graphile_worker.add_job(
      identifier => ${task}::text,
      payload => ${JSON.stringify(payload)}::json,
      queue_name => ${options.queueName ?? null}::text,
      run_at => ${options.runAt ?? null}::timestamptz,
      max_attempts => ${options.maxAttempts}::int,
      job_key => ${options.jobKey ?? null}::text,
      priority => ${options.priority ?? null}::int,
      job_key_mode => ${options.jobKeyMode ?? null}::text
    )).id::text as id
  `.execute(db);
  const id = result.rows[0]?.id;
  // add_job can return null under heavy job_key contention (graphile/worker#580).
  if (!id) throw new Error(`could not enqueue ${task}${options.jobKey ? ` (${options.jobKey})` : ""}`);
  return { id };
}
