import "server-only";
import { sql } from "kysely";
import type { Db } from "@/db";
import { recordAudit, type Actor } from "@/lib/audit";
import { hashPassword, passwordProblem, verifyPassword } from "./password";
import { lockedUntil, recordFailure, THROTTLE_POLICY, throttleKeys } from "./throttle";
import { formatUtc } from "@/lib/utc-time";
import { PERM_READ, PERM_UPDATE, type TRole } from "./roles";
import { issueSignInToken } from "./sign-in-links";
import { ZUsername } from "./username";
import { DomainError, NotFoundError } from "@/lib/errors";

export type Affiliation = { asn: number; perms: number; source: "peeringdb" | "manual"; networkName: string | null };

/** The signed-in person as every request sees them: re-read from the database each time. */
export type SessionUser = {
  id: number;
  username: string;
  displayName: string | null;
  role: TRole;
  networks: Affiliation[];
  /** A local account (it has a password), as opposed to one that signs in with PeeringDB. */
  localAccount?: boolean;
  twoFactorEnabled?: boolean;
  /** Set by the session: the policy requires two-factor sign-in and this account has not enrolled. */
  mustEnrolTwoFactor?: boolean;
};

export function parseUsername(input: string): string {
  const result = ZUsername.safeParse(input);
  if (!result.success) throw new DomainError(result.error.issues[0]!.message, { username: [result.error.issues[0]!.message] });
  return result.data;
}

async function findUserId(db: Db, username: string) {
  const user = await db.selectFrom("users").select(["id", "role", "disabled_at"]).where("username", "=", parseUsername(username)).executeTakeFirst();
  if (!user) throw new NotFoundError(`no user named ${parseUsername(username)}`);
  return user;
}

export async function createLocalUser(db: Db, input: { username: string; role: TRole; password: string; displayName?: string }, actor: Actor) {
  const username = parseUsername(input.username);
  const problem = passwordProblem(input.password, username);
  if (problem) throw new DomainError(problem, { password: [problem] });
  const passwordHash = await hashPassword(input.password);
  return db.transaction().execute(async (trx) => {
    const created = await trx
      .insertInto("users")
      .values({ username, role: input.role, password_hash: passwordHash, display_name: input.displayName ?? null })
      .onConflict((oc) => oc.column("username").doNothing())
      .returning(["id", "username", "role"])
      .executeTakeFirst();
    if (!created) throw new DomainError(`a user named ${username} already exists`, { username: ["already taken"] });
    await recordAudit(trx, { actor, action: "user.created", subject: { type: "user", id: created.id }, after: { username, role: input.role } });
    return created;
  });
}

/**
 * An admin creates an account in the portal: a role, manual network affiliations, and either a
 * password or a one-time sign-in link (the returned token; only its hash is stored). One transaction.
 */
export async function createAccount(
  db: Db,
  input: { username: string; role: TRole; displayName?: string; asns: (string | number)[]; credential: { password: string } | { signInLink: true } },
  actor: Actor,
) {
  const username = parseUsername(input.username);
  const asns = [...new Set(input.asns.map((asn) => {
    try {
      return parseAsn(asn);
    } catch (error) {
      throw new DomainError((error as Error).message, { asns: [(error as Error).message] });
    }
  }))];
  let passwordHash: string | null = null;
  if ("password" in input.credential) {
    const problem = passwordProblem(input.credential.password, username);
    if (problem) throw new DomainError(problem, { password: [problem] });
    passwordHash = await hashPassword(input.credential.password);
  }
  return db.transaction().execute(async (trx) => {
    const created = await trx
      .insertInto("users")
      .values({ username, role: input.role, password_hash: passwordHash, display_name: input.displayName || null })
      .onConflict((oc) => oc.column("username").doNothing())
      .returning(["id", "username", "role"])
      .executeTakeFirst();
    if (!created) throw new DomainError(`a user named ${username} already exists`, { username: ["already taken"] });
    for (const asn of asns) await trx.insertInto("user_networks").values({ user_id: created.id, asn, source: "manual", perms: PERM_READ | PERM_UPDATE }).execute();
    const signInToken = "signInLink" in input.credential ? await issueSignInToken(trx, created.id) : null;
    await recordAudit(trx, { actor, action: "user.created", subject: { type: "user", id: created.id }, after: { username, role: input.role, asns, credential: signInToken ? "sign-in link" : "password" } });
    return { ...created, asns, signInToken };
  });
}

export async function setPassword(db: Db, usernameInput: string, password: string, actor: Actor) {
  const username = parseUsername(usernameInput);
  const problem = passwordProblem(password, username);
  if (problem) throw new DomainError(problem, { password: [problem] });
  const passwordHash = await hashPassword(password);
  await db.transaction().execute(async (trx) => {
    const user = await findUserId(trx, username);
    await trx.updateTable("users").set({ password_hash: passwordHash, updated_at: sql`now()` }).where("id", "=", user.id).execute();
    // A new password ends every session made with the old one.
    await trx.deleteFrom("user_sessions").where("user_id", "=", user.id).execute();
    // Only the fact is recorded, never the password or its hash.
    await recordAudit(trx, { actor, action: "user.password_set", subject: { type: "user", id: user.id } });
  });
}

/**
 * A signed-in local account changes its own password. The current one is checked, and a wrong one
 * counts with the account's failed sign-ins (a borrowed session guesses no faster than the login
 * form). Every other session of the account ends; the one it was changed from stays.
 */
export async function changeOwnPassword(db: Db, user: { id: number; username: string }, input: { current: string; next: string }, keepSessionId: string, actor: Actor) {
  const throttleKey = throttleKeys(user.username, null).username;
  const until = await lockedUntil(db, [throttleKey]);
  if (until) throw new DomainError(`Too many wrong passwords for this account: try again after ${formatUtc(until)}.`);
  const row = await db.selectFrom("users").select("password_hash").where("id", "=", user.id).executeTakeFirst();
  if (!row?.password_hash) throw new DomainError("This account signs in with PeeringDB: change the password there.");
  if (!(await verifyPassword(input.current, row.password_hash))) {
    await recordFailure(db, throttleKey, THROTTLE_POLICY.username);
    throw new DomainError("That is not your current password.", { currentPassword: ["not your current password"] });
  }
  const problem = passwordProblem(input.next, user.username);
  if (problem) throw new DomainError(problem, { newPassword: [problem] });
  const passwordHash = await hashPassword(input.next);
  return db.transaction().execute(async (trx) => {
    await trx.updateTable("users").set({ password_hash: passwordHash, updated_at: sql`now()` }).where("id", "=", user.id).execute();
    const ended = await trx.deleteFrom("user_sessions").where("user_id", "=", user.id).where("id", "!=", keepSessionId).executeTakeFirst();
    // Only the fact is recorded, never the password or its hash.
    await recordAudit(trx, { actor, action: "user.password_changed", subject: { type: "user", id: user.id }, details: { otherSessionsEnded: Number(ended.numDeletedRows) } });
    return { otherSessionsEnded: Number(ended.numDeletedRows) };
  });
}

export async function setDisabled(db: Db, usernameInput: string, disabled: boolean, actor: Actor) {
  await db.transaction().execute(async (trx) => {
    const user = await findUserId(trx, usernameInput);
    if (Boolean(user.disabled_at) === disabled) return;
    await trx
      .updateTable("users")
      .set({ disabled_at: disabled ? sql<Date>`now()` : null, updated_at: sql`now()` })
      .where("id", "=", user.id)
      .execute();
    await recordAudit(trx, {
      actor,
      action: disabled ? "user.disabled" : "user.enabled",
      subject: { type: "user", id: user.id },
      before: { disabled: !disabled },
      after: { disabled },
    });
  });
}

export async function setRole(db: Db, usernameInput: string, role: TRole, actor: Actor) {
  await db.transaction().execute(async (trx) => {
    const user = await findUserId(trx, usernameInput);
    if (user.role === role) return;
    await trx.updateTable("users").set({ role, updated_at: sql`now()` }).where("id", "=", user.id).execute();
    await recordAudit(trx, { actor, action: "user.role_changed", subject: { type: "user", id: user.id }, before: { role: user.role }, after: { role } });
  });
}

export function parseAsn(input: string | number): number {
  const text = String(input).trim().replace(/^as/i, "");
  const asn = Number(text);
  if (!/^\d+$/.test(text) || !Number.isInteger(asn) || asn < 1 || asn > 4294967295) {
    throw new DomainError(`"${String(input)}" is not an AS number (1 to 4294967295)`, { asn: ["not an AS number"] });
  }
  return asn;
}

/** For networks without PeeringDB accounts: an operator vouches for the affiliation. */
export async function addManualAffiliation(db: Db, usernameInput: string, asnInput: string | number, actor: Actor, perms = PERM_READ | PERM_UPDATE) {
  const asn = parseAsn(asnInput);
  await db.transaction().execute(async (trx) => {
    const user = await findUserId(trx, usernameInput);
    await trx
      .insertInto("user_networks")
      .values({ user_id: user.id, asn, source: "manual", perms })
      .onConflict((oc) => oc.columns(["user_id", "asn", "source"]).doUpdateSet({ perms }))
      .execute();
    await recordAudit(trx, { actor, action: "user.affiliation_added", subject: { type: "user", id: user.id }, after: { asn, perms, source: "manual" } });
  });
}

export async function removeManualAffiliation(db: Db, usernameInput: string, asnInput: string | number, actor: Actor) {
  const asn = parseAsn(asnInput);
  await db.transaction().execute(async (trx) => {
    const user = await findUserId(trx, usernameInput);
    const removed = await trx.deleteFrom("user_networks").where("user_id", "=", user.id).where("asn", "=", asn).where("source", "=", "manual").executeTakeFirst();
    if (Number(removed.numDeletedRows) === 0) throw new NotFoundError(`${parseUsername(usernameInput)} has no manual affiliation with AS${asn}`);
    await recordAudit(trx, { actor, action: "user.affiliation_removed", subject: { type: "user", id: user.id }, before: { asn, source: "manual" } });
  });
}

export async function listUsers(db: Db) {
  const users = await db
    .selectFrom("users")
    .select(["id", "username", "display_name", "role", "disabled_at", "last_login_at", "created_at", "peeringdb_id", "totp_enabled_at"])
    .select((eb) => eb.fn.coalesce(eb.ref("password_hash"), sql<string>`''`).as("password_hash"))
    .orderBy("username")
    .execute();
  const networks = await db.selectFrom("user_networks").select(["user_id", "asn", "source", "perms"]).orderBy("asn").execute();
  return users.map(({ password_hash, ...user }) => ({
    ...user,
    hasPassword: password_hash !== "",
    networks: networks.filter((network) => network.user_id === user.id).map(({ asn, source, perms }) => ({ asn, source, perms })),
  }));
}

export async function countUsers(db: Db) {
  const row = await db.selectFrom("users").select((eb) => eb.fn.countAll<number>().as("count")).executeTakeFirstOrThrow();
  return Number(row.count);
}

/** The user behind a session, or null when it no longer may act (unknown or disabled). */
export async function loadSessionUser(db: Db, userId: number): Promise<SessionUser | null> {
  const user = await db
    .selectFrom("users")
    .select(["id", "username", "display_name", "role", "disabled_at", "password_hash", "totp_enabled_at"])
    .where("id", "=", userId)
    .executeTakeFirst();
  if (!user) return null;
  const rows = await db
    .selectFrom("user_networks")
    .leftJoin("networks", "networks.asn", "user_networks.asn")
    .select(["user_networks.asn", "user_networks.perms", "user_networks.source", sql<string | null>`coalesce(networks.name, user_networks.network_name)`.as("network_name")])
    .where("user_networks.user_id", "=", userId)
    .orderBy("user_networks.asn")
    .execute();
  return sessionUserFrom(user, rows);
}

type UserRow = { id: number; username: string; display_name: string | null; role: string; disabled_at: Date | null; password_hash: string | null; totp_enabled_at: Date | null };
export type AffiliationRow = { asn: number; perms: number; source: string; network_name: string | null };

/** A user row and its affiliation rows (by ASN) as the signed-in user, or null when disabled. */
export function sessionUserFrom(user: UserRow, rows: AffiliationRow[]): SessionUser | null {
  if (user.disabled_at) return null;
  // One entry per ASN: a manual and a PeeringDB affiliation add up.
  const byAsn = new Map<number, Affiliation>();
  for (const row of rows) {
    const seen = byAsn.get(row.asn);
    byAsn.set(row.asn, {
      asn: row.asn,
      perms: (seen?.perms ?? 0) | row.perms,
      source: seen?.source === "peeringdb" ? "peeringdb" : (row.source as Affiliation["source"]),
      networkName: seen?.networkName ?? row.network_name,
    });
  }
  return {
    id: user.id,
    username: user.username,
    displayName: user.display_name,
    role: user.role as TRole,
    networks: [...byAsn.values()],
    localAccount: user.password_hash !== null,
    twoFactorEnabled: user.totp_enabled_at !== null,
  };
}

export type PeeringDbIdentity = {
  peeringDbId: number;
  name: string;
  email: string | null;
  networks: { asn: number; name: string; perms: number }[];
};

/**
 * A PeeringDB login: finds or creates the member account for this PeeringDB user, and replaces
 * its PeeringDB affiliations with the profile's list (keyed on ASN), so a dropped network loses
 * access at once. Manual affiliations are left alone. Returns the user id, or null if disabled.
 */
export async function syncPeeringDbUser(db: Db, identity: PeeringDbIdentity, clientIp: string | null) {
  return db.transaction().execute(async (trx) => {
    let user = await trx.selectFrom("users").select(["id", "username", "disabled_at"]).where("peeringdb_id", "=", identity.peeringDbId).executeTakeFirst();
    if (!user) {
      user = await trx
        .insertInto("users")
        .values({ username: `pdb-${identity.peeringDbId}`, role: "member", peeringdb_id: identity.peeringDbId, display_name: identity.name, email: identity.email })
        .returning(["id", "username", "disabled_at"])
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        actor: { type: "user", id: user.id, label: user.username },
        action: "user.created",
        subject: { type: "user", id: user.id },
        after: { username: user.username, role: "member", source: "peeringdb" },
        clientIp,
      });
    } else {
      await trx.updateTable("users").set({ display_name: identity.name, email: identity.email, updated_at: sql`now()` }).where("id", "=", user.id).execute();
    }
    const actor: Actor = { type: "user", id: user.id, label: user.username };
    if (user.disabled_at) {
      await recordAudit(trx, { actor, action: "auth.login_refused", subject: { type: "user", id: user.id }, details: { method: "peeringdb", reason: "disabled" }, clientIp });
      return null;
    }

    const before = await trx.selectFrom("user_networks").select(["asn", "perms"]).where("user_id", "=", user.id).where("source", "=", "peeringdb").orderBy("asn").execute();
    const byAsn = new Map<number, { asn: number; name: string; perms: number }>();
    for (const network of identity.networks) byAsn.set(network.asn, { ...network, perms: (byAsn.get(network.asn)?.perms ?? 0) | network.perms });
    const after = [...byAsn.values()].sort((a, b) => a.asn - b.asn);

    await trx.deleteFrom("user_networks").where("user_id", "=", user.id).where("source", "=", "peeringdb").execute();
    if (after.length > 0) {
      await trx
        .insertInto("user_networks")
        .values(after.map((network) => ({ user_id: user.id, asn: network.asn, source: "peeringdb", perms: network.perms, network_name: network.name })))
        .execute();
    }
    const changed = JSON.stringify(before) !== JSON.stringify(after.map(({ asn, perms }) => ({ asn, perms })));
    if (changed) {
      await recordAudit(trx, {
        actor,
        action: "user.affiliations_synced",
        subject: { type: "user", id: user.id },
        before: before,
        after: after.map(({ asn, perms }) => ({ asn, perms })),
        details: { source: "peeringdb" },
        clientIp,
      });
    }
    await trx.updateTable("users").set({ last_login_at: sql`now()` }).where("id", "=", user.id).execute();
    await recordAudit(trx, { actor, action: "auth.login", subject: { type: "user", id: user.id }, details: { method: "peeringdb" }, clientIp });
    return user.id;
  });
}

