import "server-only";
import { sql } from "kysely";
import type { Db } from "@/db";
import { enqueueJob } from "@/jobs/enqueue";
import { getConfig } from "@/lib/config";
import { NOTIFICATION_KINDS, type NotificationKind } from "./kinds";

export { NOTIFICATION_KINDS, NOTIFICATION_KIND_NAMES, kindsFor, type NotificationKind } from "./kinds";

export const SEND_EMAIL_MAX_ATTEMPTS = 5;

export type Mail = { subject: string; text: string };

/** Where the mail is about: members of a network, or the exchange's operators. */
export type Audience = { asn: number } | "operators";

/** Whether e-mail is configured at all (SMTP_URL): without it nothing is queued or sent. */
export function mailEnabled(): boolean {
  // The raw variable first: with mail off (the default) the configuration is not even parsed here.
  return Boolean(process.env.SMTP_URL?.trim()) && Boolean(getConfig().SMTP_URL);
}

/**
 * The users who get a kind of mail: enabled accounts with an e-mail address who have not switched
 * the kind off; for a network, its affiliated users (PeeringDB or operator-made), for operators
 * the admins and operators.
 */
async function recipients(db: Db, kind: NotificationKind, audience: Audience) {
  let query = db
    .selectFrom("users")
    .select(["users.id", "users.email"])
    .where("users.disabled_at", "is", null)
    .where("users.email", "is not", null)
    .where("users.email", "!=", "")
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom("notification_opt_outs").select(sql`1`.as("one")).whereRef("notification_opt_outs.user_id", "=", "users.id").where("notification_opt_outs.kind", "=", kind))),
    );
  if (audience === "operators") query = query.where("users.role", "in", ["admin", "operator"]);
  else query = query.where(({ exists, selectFrom }) => exists(selectFrom("user_networks").select(sql`1`.as("one")).whereRef("user_networks.user_id", "=", "users.id").where("user_networks.asn", "=", audience.asn)));
  return query.orderBy("users.id").execute();
}

/**
 * Queues one e-mail per recipient as send_email jobs, on the caller's transaction: the mail
 * exists exactly when the event it tells of commits. No SMTP_URL: nothing is queued.
 */
export async function notify(db: Db, kind: NotificationKind, audience: Audience, mail: Mail): Promise<number> {
  if (!mailEnabled()) return 0;
  const users = await recipients(db, kind, audience);
  const identity = getConfig().ZTIX_IX_NAME ?? getConfig().ZTIX_IX_SHORTNAME ?? "ztix";
  for (const user of users) {
    await enqueueJob(
      db,
      "send_email",
      { to: user.email!, userId: user.id, kind, subject: `[${identity}] ${mail.subject}`, text: `${mail.text}\n\n--\n${identity}. You get this because "${NOTIFICATION_KINDS[kind].label}" is on in your notification settings.\n` },
      { maxAttempts: SEND_EMAIL_MAX_ATTEMPTS },
    );
  }
  return users.length;
}

/** A user's e-mail address and the kinds they switched off. */
export async function notificationSettings(db: Db, userId: number) {
  const [user, optOuts] = await Promise.all([
    db.selectFrom("users").select(["email", "role"]).where("id", "=", userId).executeTakeFirstOrThrow(),
    db.selectFrom("notification_opt_outs").select("kind").where("user_id", "=", userId).execute(),
  ]);
  return { email: user.email, role: user.role, off: new Set(optOuts.map((row) => row.kind)) };
}

/** Saves the address and which kinds are on (the rest of `kinds` are switched off). */
export async function saveNotificationSettings(db: Db, userId: number, input: { email: string | null; on: NotificationKind[]; kinds: NotificationKind[] }) {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable("users").set({ email: input.email, updated_at: sql`now()` }).where("id", "=", userId).execute();
    await trx.deleteFrom("notification_opt_outs").where("user_id", "=", userId).execute();
    const off = input.kinds.filter((kind) => !input.on.includes(kind));
    if (off.length > 0) await trx.insertInto("notification_opt_outs").values(off.map((kind) => ({ user_id: userId, kind }))).execute();
  });
}
