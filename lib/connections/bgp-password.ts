import "server-only";
import { randomInt } from "node:crypto";
import { sql } from "kysely";
import type { Db } from "@/db";
import { recordAudit, type Actor } from "@/lib/audit";
import { ConflictError, DomainError, NotFoundError } from "@/lib/errors";
import { decryptSecret, encryptSecret, secretContexts } from "@/lib/secrets";
import { enqueueLanDeployment } from "./service";

/** TCP-MD5 keys BIRD and Linux accept: printable ASCII without quotes, backslashes or spaces, 1-80 bytes. */
const PASSWORD_PATTERN = /^[\x21\x23-\x5b\x5d-\x7e]{1,80}$/;
export const BGP_PASSWORD_RULE = "1 to 80 printable characters without spaces, quotes or backslashes";

/** 24 characters from an alphabet every router CLI takes without quoting (~140 bits). */
export function generateBgpPassword() {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  return Array.from({ length: 24 }, () => alphabet[randomInt(alphabet.length)]).join("");
}

/**
 * Sets (or with null, clears) a connection's BGP session password, encrypted at rest, and
 * redeploys the LAN's route servers in the same transaction. The member sees it once.
 */
export async function setBgpPassword(db: Db, actor: Actor, connectionId: number, password: string | null) {
  if (password !== null && !PASSWORD_PATTERN.test(password)) {
    throw new DomainError(`A BGP password is ${BGP_PASSWORD_RULE}.`, { password: [BGP_PASSWORD_RULE] });
  }
  await db.transaction().execute(async (trx) => {
    const connection = await trx
      .selectFrom("connections")
      .select(["id", "lan_id", "state", "route_server_peering", "bgp_password"])
      .where("id", "=", connectionId)
      .forUpdate()
      .executeTakeFirst();
    if (!connection) throw new NotFoundError(`connection ${connectionId} does not exist`);
    if (["removing", "removed", "rejected"].includes(connection.state)) {
      throw new ConflictError(`Connection ${connectionId} is ${connection.state}; its BGP password cannot change.`);
    }
    await trx
      .updateTable("connections")
      .set({
        bgp_password: password === null ? null : encryptSecret(password, secretContexts.bgpPassword(connectionId)),
        bgp_password_set_at: password === null ? null : sql<Date>`now()`,
        bgp_password_shown_at: null,
        updated_at: sql`now()`,
      })
      .where("id", "=", connectionId)
      .execute();
    // Only the fact is audited, never the password.
    await recordAudit(trx, {
      actor,
      action: password === null ? "connection.bgp_password_cleared" : "connection.bgp_password_set",
      subject: { type: "connection", id: connectionId },
      before: { bgpPassword: connection.bgp_password ? "set" : "none" },
      after: { bgpPassword: password === null ? "none" : "set" },
    });
    if (connection.route_server_peering && ["provisioned", "active"].includes(connection.state)) {
      await enqueueLanDeployment(trx, connection.lan_id, `BGP password of connection ${connectionId} changed`);
    }
  });
}

/**
 * The member's one look at the password: returns it and records that it was shown, or null if
 * none is set or it was shown already (an operator sets a new one to show it again).
 */
export async function revealBgpPasswordOnce(db: Db, actor: Actor, connectionId: number): Promise<string | null> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("connections")
      .select(["bgp_password", "bgp_password_shown_at"])
      .where("id", "=", connectionId)
      .forUpdate()
      .executeTakeFirst();
    if (!row?.bgp_password || row.bgp_password_shown_at) return null;
    const password = decryptSecret(row.bgp_password, secretContexts.bgpPassword(connectionId));
    await trx.updateTable("connections").set({ bgp_password_shown_at: sql<Date>`now()` }).where("id", "=", connectionId).execute();
    await recordAudit(trx, { actor, action: "connection.bgp_password_shown", subject: { type: "connection", id: connectionId } });
    return password;
  });
}

/** Whether a password is set and whether the member has seen it (no plaintext). */
export async function bgpPasswordStatus(db: Db, connectionId: number) {
  const row = await db
    .selectFrom("connections")
    .select([sql<boolean>`bgp_password is not null`.as("bgp_password_set"), "bgp_password_set_at", "bgp_password_shown_at"])
    .where("id", "=", connectionId)
    .executeTakeFirst();
  return row ? bgpPasswordStatusOf(row) : { set: false, setAt: null, shownAt: null };
}

/** The same from a connection row that has these columns (getConnectionFor's). */
export function bgpPasswordStatusOf(row: { bgp_password_set: boolean; bgp_password_set_at: Date | null; bgp_password_shown_at: Date | null }) {
  return { set: row.bgp_password_set, setAt: row.bgp_password_set_at, shownAt: row.bgp_password_shown_at };
}
