import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { sql } from "kysely";
import type { Db } from "@/db";
import { recordAudit } from "@/lib/audit";
import { DomainError } from "@/lib/errors";
import { hashPassword, passwordProblem } from "./password";

/** How long a one-time sign-in link works. */
export const SIGN_IN_LINK_HOURS = 24;

/** Only this hash is stored: the database alone cannot be used to sign in. */
function tokenHash(token: string) {
  return createHash("sha256").update(token).digest("hex");
}

/** Issues a one-time token for a user (inside the caller's transaction); the plain token is shown once. */
export async function issueSignInToken(trx: Db, userId: number) {
  const token = randomBytes(32).toString("base64url");
  await trx
    .insertInto("user_sign_in_tokens")
    .values({ user_id: userId, token_hash: tokenHash(token), expires_at: sql<Date>`now() + make_interval(hours => ${SIGN_IN_LINK_HOURS})` })
    .execute();
  return token;
}

/** The account a token is for, while it is unused and unexpired; null otherwise. */
export async function findSignInToken(db: Db, token: string) {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  return (
    (await db
      .selectFrom("user_sign_in_tokens")
      .innerJoin("users", "users.id", "user_sign_in_tokens.user_id")
      .select(["user_sign_in_tokens.id", "users.id as userId", "users.username"])
      .where("token_hash", "=", tokenHash(token))
      .where("used_at", "is", null)
      .where("expires_at", ">", sql<Date>`now()`)
      .where("users.disabled_at", "is", null)
      .executeTakeFirst()) ?? null
  );
}

/** Sets the account's password with a token, once: the token is spent in the same transaction. */
export async function redeemSignInToken(db: Db, token: string, password: string) {
  const found = await findSignInToken(db, token);
  if (!found) throw new DomainError("This sign-in link is invalid, used or expired; ask an administrator for a new one.");
  const problem = passwordProblem(password, found.username);
  if (problem) throw new DomainError(problem, { password: [problem] });
  const passwordHash = await hashPassword(password);
  return db.transaction().execute(async (trx) => {
    const spent = await trx.updateTable("user_sign_in_tokens").set({ used_at: sql<Date>`now()` }).where("id", "=", found.id).where("used_at", "is", null).executeTakeFirst();
    if (Number(spent.numUpdatedRows) !== 1) throw new DomainError("This sign-in link was just used; ask an administrator for a new one.");
    await trx.updateTable("users").set({ password_hash: passwordHash, updated_at: sql`now()` }).where("id", "=", found.userId).execute();
    await recordAudit(trx, { actor: { type: "user", id: found.userId, label: found.username }, action: "user.password_set_by_link", subject: { type: "user", id: found.userId } });
    return { username: found.username };
  });
}
