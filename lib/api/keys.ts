import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { sql } from "kysely";
import { z } from "zod";
import type { Db } from "@/db";
import { recordAudit, type Actor } from "@/lib/audit";
import { DomainError, NotFoundError } from "@/lib/errors";

export const ZApiScope = z.enum(["read", "admin"], { message: "scope must be read or admin" });
export type TApiScope = z.infer<typeof ZApiScope>;

export type ApiKeyIdentity = { id: number; name: string; prefix: string; scope: TApiScope };

const hashKey = (key: string) => createHash("sha256").update(key, "utf8").digest("hex");

/** Creates a key and returns it once; only its hash and visible prefix are stored. */
export async function createApiKey(db: Db, input: { name: string; scope: TApiScope; expiresAt?: Date | null }, actor: Actor) {
  const name = input.name.trim();
  if (name.length < 2 || name.length > 100) throw new DomainError("the key's name must be 2 to 100 characters", { name: ["2 to 100 characters"] });
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) throw new DomainError("the expiry must be in the future", { expiresAt: ["must be in the future"] });
  const prefix = `ztix_${randomBytes(4).toString("hex")}`;
  const key = `${prefix}_${randomBytes(24).toString("base64url")}`;
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto("api_keys")
      .values({ name, prefix, key_hash: hashKey(key), scope: input.scope, created_by: actor.label, expires_at: input.expiresAt ?? null })
      .returning(["id", "prefix", "scope", "expires_at"])
      .executeTakeFirstOrThrow();
    await recordAudit(trx, { actor, action: "api_key.created", subject: { type: "api_key", id: row.id }, after: { name, prefix, scope: input.scope, expiresAt: row.expires_at } });
    return { ...row, key };
  });
}

/** The key's identity when it is known, unrevoked and unexpired; records its use. */
export async function verifyApiKey(db: Db, presented: string): Promise<ApiKeyIdentity | null> {
  if (!/^ztix_[0-9a-f]{8}_[\w-]{32}$/.test(presented)) return null;
  const row = await db
    .updateTable("api_keys")
    .set({ last_used_at: sql<Date>`now()` })
    .where("key_hash", "=", hashKey(presented))
    .where("revoked_at", "is", null)
    .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", sql<Date>`now()`)]))
    .returning(["id", "name", "prefix", "scope"])
    .executeTakeFirst();
  return row ? { ...row, scope: row.scope as TApiScope } : null;
}

export async function revokeApiKey(db: Db, idOrPrefix: string, actor: Actor) {
  await db.transaction().execute(async (trx) => {
    const key = await trx
      .selectFrom("api_keys")
      .select(["id", "prefix", "revoked_at"])
      .where((eb) => (/^\d+$/.test(idOrPrefix) ? eb("id", "=", Number(idOrPrefix)) : eb("prefix", "=", idOrPrefix)))
      .executeTakeFirst();
    if (!key) throw new NotFoundError(`no API key ${idOrPrefix}`);
    if (key.revoked_at) return;
    await trx.updateTable("api_keys").set({ revoked_at: sql<Date>`now()` }).where("id", "=", key.id).execute();
    await recordAudit(trx, { actor, action: "api_key.revoked", subject: { type: "api_key", id: key.id }, after: { prefix: key.prefix } });
  });
}

export async function listApiKeys(db: Db) {
  return db
    .selectFrom("api_keys")
    .select(["id", "name", "prefix", "scope", "created_by", "created_at", "expires_at", "revoked_at", "last_used_at"])
    .orderBy("id", "desc")
    .execute();
}
