import "server-only";
import { createLogger } from "@/lib/log";

type HeaderSource = { get(name: string): string | null } | Record<string, string | string[] | undefined>;

const log = createLogger("client-ip");
let warned = false;

/** The internal header scripts/socket-address.mjs sets from the TCP peer, or null when it is not loaded. */
function socketAddressHeader(): string | null {
  const name = (globalThis as Record<symbol, unknown>)[Symbol.for("ztix.socketAddressHeader")];
  return typeof name === "string" ? name : null;
}

/**
 * The client's address. Without proxies (ZTIX_TRUSTED_PROXIES=0, the default) it is the TCP
 * peer and no header counts. Behind N reverse proxies it is the Nth entry from the right of
 * X-Forwarded-For: each proxy appends the address it saw, so entries further left are whatever
 * the client claimed. Null when the server runs without the socket-address preload.
 */
export function clientIpFrom(headers: HeaderSource, trustedProxies = configuredTrustedProxies()): string | null {
  const read = (name: string) => {
    if (typeof (headers as { get?: unknown }).get === "function") return (headers as { get(name: string): string | null }).get(name);
    const value = (headers as Record<string, string | string[] | undefined>)[name];
    return Array.isArray(value) ? value.join(",") : (value ?? null);
  };
  const header = socketAddressHeader();
  if (!header) {
    if (!warned) log.warn("the web server runs without scripts/socket-address.mjs: client addresses are unknown (start it with npm start)");
    warned = true;
    return null;
  }
  const socket = read(header);
  let candidate = socket;
  if (trustedProxies > 0) {
    const forwarded = (read("x-forwarded-for") ?? "")
      .split(",")
      .map((entry) => entry.trim())
      .filter(Boolean);
    // Fewer entries than proxies: the request skipped the outer ones; the leftmost is all we have.
    candidate = forwarded[forwarded.length - trustedProxies] ?? forwarded[0] ?? socket;
  }
  return candidate ? candidate.replace(/^::ffff:/, "").slice(0, 64) : null;
}

export function configuredTrustedProxies() {
  const value = Number.parseInt(process.env.ZTIX_TRUSTED_PROXIES ?? "0", 10);
  return Number.isFinite(value) && value > 0 ? value : 0;
}
