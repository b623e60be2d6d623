import "server-only";
import { createHash, randomInt } from "node:crypto";
import { generateSecret, generateURI, verify } from "otplib";
import QRCode from "qrcode";
import { sql } from "kysely";
import type { Db } from "@/db";
import { recordAudit, type Actor } from "@/lib/audit";
import { getConfig } from "@/lib/config";
import { DomainError, NotFoundError } from "@/lib/errors";
import { decryptSecret, encryptSecret, secretContexts } from "@/lib/secrets";
import { isStaff, type TRole } from "./roles";
import { ZUsername } from "./username";

/**
 * Two-factor sign-in for local accounts: TOTP (RFC 6238, 30-second steps, 6 digits, SHA-1 as
 * every authenticator app expects) with the secret encrypted at rest, each time step accepted
 * once, and ten one-time recovery codes stored as SHA-256 hashes.
 */

export const RECOVERY_CODE_COUNT = 10;
const ISSUER = "ztix";
// One step either side: a phone clock a little off still works.
const EPOCH_TOLERANCE_SECONDS = 30;

/** Whether the deployment's policy (ZTIX_REQUIRE_2FA) makes this account enrol before anything else. */
export function twoFactorRequiredFor(user: { role: TRole; localAccount: boolean }) {
  const policy = getConfig().ZTIX_REQUIRE_2FA;
  if (!user.localAccount || policy === "off") return false;
  return policy === "all" || isStaff(user.role);
}

function normalizeRecoveryCode(code: string) {
  return code.toLowerCase().replace(/[\s-]/g, "");
}

const hashRecoveryCode = (code: string) => createHash("sha256").update(normalizeRecoveryCode(code)).digest("hex");

/** 16 characters from a 32-character alphabet without i, l, o, u (80 bits), grouped: "k7xq-2mfa-…". */
function newRecoveryCode() {
  const alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
  const text = Array.from({ length: 16 }, () => alphabet[randomInt(alphabet.length)]).join("");
  return text.match(/.{4}/g)!.join("-");
}

/** The secret being enrolled (created on first visit, kept until confirmed), with its QR code. */
export async function pendingEnrolment(db: Db, userId: number) {
  const user = await db.selectFrom("users").select(["username", "totp_pending_secret"]).where("id", "=", userId).executeTakeFirstOrThrow();
  let secret: string;
  if (user.totp_pending_secret) {
    secret = decryptSecret(user.totp_pending_secret, secretContexts.totpPendingSecret(userId));
  } else {
    secret = generateSecret();
    await db.updateTable("users").set({ totp_pending_secret: encryptSecret(secret, secretContexts.totpPendingSecret(userId)) }).where("id", "=", userId).execute();
  }
  const uri = generateURI({ issuer: ISSUER, label: user.username, secret });
  // An SVG data URL: no script, no external request, allowed by the portal's img-src.
  const svg = await QRCode.toString(uri, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
  return { secret, uri, qrDataUrl: `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}` };
}

async function checkTotp(secret: string, code: string, afterTimeStep: number | null) {
  if (!/^\d{6}$/.test(code)) return null;
  const result = await verify({ secret, token: code, epochTolerance: EPOCH_TOLERANCE_SECONDS, ...(afterTimeStep === null ? {} : { afterTimeStep }) });
  return result.valid && "timeStep" in result ? result.timeStep : null;
}

/**
 * Confirms an enrolment with a code from the app: the pending secret becomes the account's,
 * and ten fresh recovery codes are returned once (only their hashes are kept).
 */
export async function confirmEnrolment(db: Db, userId: number, code: string, actor: Actor) {
  return db.transaction().execute(async (trx) => {
    const user = await trx.selectFrom("users").select(["totp_pending_secret"]).where("id", "=", userId).forUpdate().executeTakeFirstOrThrow();
    if (!user.totp_pending_secret) throw new DomainError("Start the set-up again: no enrolment is pending.");
    const secret = decryptSecret(user.totp_pending_secret, secretContexts.totpPendingSecret(userId));
    const step = await checkTotp(secret, code.replace(/\s/g, ""), null);
    if (step === null) throw new DomainError("That code does not match; check the app's clock and try the current code.", { code: ["the code does not match"] });
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await trx
      .updateTable("users")
      .set({
        totp_secret: encryptSecret(secret, secretContexts.totpSecret(userId)),
        totp_enabled_at: sql<Date>`now()`,
        totp_last_step: step,
        totp_pending_secret: null,
        updated_at: sql`now()`,
      })
      .where("id", "=", userId)
      .execute();
    await trx.deleteFrom("user_recovery_codes").where("user_id", "=", userId).execute();
    await trx.insertInto("user_recovery_codes").values(codes.map((recovery) => ({ user_id: userId, code_hash: hashRecoveryCode(recovery) }))).execute();
    await recordAudit(trx, { actor, action: "user.two_factor_enabled", subject: { type: "user", id: userId } });
    return codes;
  });
}

/**
 * The second step of a sign-in: a current TOTP code (each time step once), or an unused
 * recovery code (then used up). Returns how it matched, or null.
 */
export async function verifySecondFactor(db: Db, userId: number, input: string): Promise<"totp" | "recovery_code" | null> {
  const code = input.trim();
  const user = await db.selectFrom("users").select(["totp_secret", "totp_last_step"]).where("id", "=", userId).executeTakeFirst();
  if (!user?.totp_secret) return null;
  if (/^\d{6}$/.test(code.replace(/\s/g, ""))) {
    const secret = decryptSecret(user.totp_secret, secretContexts.totpSecret(userId));
    const step = await checkTotp(secret, code.replace(/\s/g, ""), user.totp_last_step === null ? null : Number(user.totp_last_step));
    if (step === null) return null;
    // Of two sign-ins racing with one code, only one moves the step forward.
    const moved = await db
      .updateTable("users")
      .set({ totp_last_step: step })
      .where("id", "=", userId)
      .where((eb) => eb.or([eb("totp_last_step", "is", null), eb("totp_last_step", "<", step)]))
      .executeTakeFirst();
    return Number(moved.numUpdatedRows) === 1 ? "totp" : null;
  }
  const used = await db
    .updateTable("user_recovery_codes")
    .set({ used_at: sql<Date>`now()` })
    .where("user_id", "=", userId)
    .where("code_hash", "=", hashRecoveryCode(code))
    .where("used_at", "is", null)
    .executeTakeFirst();
  return Number(used.numUpdatedRows) === 1 ? "recovery_code" : null;
}

export async function twoFactorStatus(db: Db, userId: number) {
  const user = await db.selectFrom("users").select(["totp_enabled_at"]).where("id", "=", userId).executeTakeFirstOrThrow();
  const codes = await db
    .selectFrom("user_recovery_codes")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("user_id", "=", userId)
    .where("used_at", "is", null)
    .executeTakeFirstOrThrow();
  return { enabledAt: user.totp_enabled_at, recoveryCodesLeft: Number(codes.count) };
}

/** `users reset-2fa`: for a lost device. The account enrols again on its next sign-in (if required). */
export async function resetTwoFactor(db: Db, usernameInput: string, actor: Actor) {
  const parsed = ZUsername.safeParse(usernameInput);
  if (!parsed.success) throw new DomainError(parsed.error.issues[0]!.message);
  await db.transaction().execute(async (trx) => {
    const user = await trx.selectFrom("users").select(["id"]).where("username", "=", parsed.data).forUpdate().executeTakeFirst();
    if (!user) throw new NotFoundError(`no user named ${parsed.data}`);
    await trx
      .updateTable("users")
      .set({ totp_secret: null, totp_enabled_at: null, totp_last_step: null, totp_pending_secret: null, updated_at: sql`now()` })
      .where("id", "=", user.id)
      .execute();
    await trx.deleteFrom("user_recovery_codes").where("user_id", "=", user.id).execute();
    // Whoever held the old device may hold a session too.
    await trx.deleteFrom("user_sessions").where("user_id", "=", user.id).execute();
    await recordAudit(trx, { actor, action: "user.two_factor_reset", subject: { type: "user", id: user.id } });
  });
}
