import "server-only";
import type { Db } from "@/db";
import { recordAudit, type Actor } from "@/lib/audit";
import { decryptSecret, encryptSecret, secretContexts, type SecretKey } from "./index";

/**
 * Re-encrypts every stored secret (BGP passwords, TOTP secrets and pending enrolments) from one
 * key to another in one transaction: either all move or none does. Plaintexts are unchanged, so
 * rendered configs stay byte-identical.
 */
export async function rotateSecrets(db: Db, from: SecretKey, to: SecretKey, actor: Actor) {
  return db.transaction().execute(async (trx) => {
    const connections = await trx.selectFrom("connections").select(["id", "bgp_password"]).where("bgp_password", "is not", null).forUpdate().execute();
    for (const row of connections) {
      const context = secretContexts.bgpPassword(row.id);
      const bgpPassword = encryptSecret(decryptSecret(row.bgp_password!, context, from), context, to);
      await trx.updateTable("connections").set({ bgp_password: bgpPassword }).where("id", "=", row.id).execute();
    }
    const users = await trx
      .selectFrom("users")
      .select(["id", "totp_secret", "totp_pending_secret"])
      .where((eb) => eb.or([eb("totp_secret", "is not", null), eb("totp_pending_secret", "is not", null)]))
      .forUpdate()
      .execute();
    for (const row of users) {
      const reencrypt = (value: string | null, context: string) => (value === null ? null : encryptSecret(decryptSecret(value, context, from), context, to));
      await trx
        .updateTable("users")
        .set({
          totp_secret: reencrypt(row.totp_secret, secretContexts.totpSecret(row.id)),
          totp_pending_secret: reencrypt(row.totp_pending_secret, secretContexts.totpPendingSecret(row.id)),
        })
        .where("id", "=", row.id)
        .execute();
    }
    const counts = { bgpPasswords: connections.length, totpSecrets: users.length };
    await recordAudit(trx, { actor, action: "secrets.key_rotated", details: { fromKey: from.id, toKey: to.id, ...counts } });
    return counts;
  });
}
