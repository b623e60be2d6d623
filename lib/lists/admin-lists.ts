import { pageInMemory } from "./in-memory";
import type { ListParams } from "./list-params";

/** The accounts list: sort, search (username, name, ASN), role and state filters. */
export const userListSpec = {
  sorts: ["username", "role", "login", "state", "created"],
  defaultSort: "username",
  defaultDir: "asc",
  // An exchange has tens to hundreds of accounts: one page shows them all unless asked otherwise.
  defaultSize: 200,
  filters: { role: ["admin", "operator", "member"], status: ["active", "disabled"], login: ["local", "peeringdb"] },
} as const;

type UserRow = { username: string; display_name: string | null; role: string; disabled_at: Date | string | null; created_at: Date | string; peeringdb_id: number | null; networks: { asn: number }[] };

export function pageUsers<T extends UserRow>(users: T[], params: ListParams<(typeof userListSpec.sorts)[number], "role" | "status" | "login">) {
  const login = (user: T) => (user.peeringdb_id ? "peeringdb" : "local");
  const status = (user: T) => (user.disabled_at ? "disabled" : "active");
  return pageInMemory(users, params, {
    sortBy: { username: (user) => user.username, role: (user) => user.role, login, state: status, created: (user) => new Date(user.created_at) },
    searchIn: (user) => [user.username, user.display_name, ...user.networks.map((network) => network.asn)],
    filterBy: { role: (user) => user.role, status, login },
  });
}

/** The API keys list: sort, search (name, prefix), scope and state filters. */
export const apiKeyListSpec = {
  sorts: ["name", "prefix", "scope", "state", "used", "expires", "created"],
  defaultSort: "created",
  defaultDir: "desc",
  filters: { scope: ["read", "admin"], status: ["active", "expired", "revoked"] },
} as const;

type ApiKeyRow = { name: string; prefix: string; scope: string; created_at: Date | string; expires_at: Date | string | null; revoked_at: Date | string | null; last_used_at: Date | string | null };

export function apiKeyStatus(key: ApiKeyRow, now = new Date()) {
  return key.revoked_at ? "revoked" : key.expires_at !== null && new Date(key.expires_at) < now ? "expired" : "active";
}

export function pageApiKeys<T extends ApiKeyRow>(keys: T[], params: ListParams<(typeof apiKeyListSpec.sorts)[number], "scope" | "status">) {
  const date = (value: Date | string | null) => (value === null ? null : new Date(value));
  return pageInMemory(keys, params, {
    sortBy: { name: (key) => key.name, prefix: (key) => key.prefix, scope: (key) => key.scope, state: (key) => apiKeyStatus(key), used: (key) => date(key.last_used_at), expires: (key) => date(key.expires_at), created: (key) => date(key.created_at) },
    searchIn: (key) => [key.name, key.prefix],
    filterBy: { scope: (key) => key.scope, status: (key) => apiKeyStatus(key) },
  });
}
