import type { Task } from "graphile-worker";
import { sql } from "kysely";
import { getDb } from "@/db";
import { deleteExpiredSessions } from "@/lib/auth/sessions";
import { foldConnectionTallies } from "@/lib/connections/queries";
import { pruneRateLimitHits } from "@/lib/rate-limit";
import { parsePayload } from "../payloads";

/** Hourly: drops rate-limit records, login lockouts and job timings nobody needs any more, and folds connection tallies. */
export const housekeeping: Task = async (payload, helpers) => {
  parsePayload("housekeeping", payload);
  const db = getDb();
  const hits = await pruneRateLimitHits(db);
  const throttles = await db.deleteFrom("login_throttle").where("window_started_at", "<", sql<Date>`now() - interval '1 day'`).where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<", sql<Date>`now()`)])).executeTakeFirst();
  await deleteExpiredSessions(db);
  // Finished jobs stay on the jobs page as history for ZTIX_JOB_HISTORY_DAYS (default 7).
  const historyDays = Math.max(1, Math.floor(Number(process.env.ZTIX_JOB_HISTORY_DAYS) || 7));
  const runs = await db.deleteFrom("job_runs").where("finished_at", "<", sql<Date>`now() - make_interval(days => ${historyDays})`).executeTakeFirst();
  const tallies = await foldConnectionTallies(db);
  helpers.logger.info(`removed ${hits} rate-limit record(s), ${Number(throttles.numDeletedRows)} login throttle(s), ${Number(runs.numDeletedRows)} job timing(s), ${tallies} connection tally row(s)`);
};
