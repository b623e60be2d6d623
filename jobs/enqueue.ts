import "server-only";
import { sql, type Kysely } from "kysely";
import type { Database } from "@/db";
import { ConflictError } from "@/lib/errors";
import type { TaskName, TaskPayload } from "./payloads";

export type EnqueueOptions = {
  /** Task-prefixed key (`provision_connection:42`): a second add replaces a waiting job. */
  jobKey?: string;
  jobKeyMode?: "replace" | "preserve_run_at";
  maxAttempts: number;
  runAt?: Date;
  queueName?: string;
  priority?: number;
  /** graphile-worker job flags: markers the jobs table shows (payloads it does not). */
  flags?: string[];
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
  // add_job returns null when a worker locks the job with the same key between add_job's two
  // statements (graphile/worker#580): it saw the job waiting, then could not replace it. Asking
  // again in the same transaction sees it running and adds a fresh job beside it.
  for (let attempt = 1; attempt <= 5; attempt++) {
    const id = await addJob(db, task, payload, options);
    if (id) return { id };
  }
  throw new ConflictError(`Could not enqueue ${task}${options.jobKey ? ` (${options.jobKey})` : ""}: the job changed hands repeatedly. Send the request again.`);
}

async function addJob<T extends TaskName>(db: Kysely<Database>, task: T, payload: TaskPayload<T>, options: EnqueueOptions) {
  const result = await sql<{ id: string | null }>`
    select (graphile_worker.add_job(
      identifier => ${task}::text,
      payload => ${JSON.stringify(payload)}::json,
      queue_name => ${options.queueName ?? null}::text,
      run_at => ${options.runAt ?? null}::timestamptz,
      max_attempts => ${options.maxAttempts}::int,
      job_key => ${options.jobKey ?? null}::text,
      priority => ${options.priority ?? null}::int,
      job_key_mode => ${options.jobKeyMode ?? null}::text,
      flags => ${options.flags ?? null}::text[]
    )).id::text as id
  `.execute(db);
  return result.rows[0]?.id ?? null;
}
