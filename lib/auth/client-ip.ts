import "server-only";

/**
 * The client's address as seen by the nearest proxy we trust. `next start` appends the TCP
 * peer to X-Forwarded-For; behind N reverse proxies set ZTIX_TRUSTED_PROXIES=N, so the
 * address is taken N entries from the right (entries further left are client-supplied).
 */
export function clientIpFrom(headers: { get(name: string): string | null } | Record<string, string | string[] | undefined>) {
  const read = (name: string) => {
    if (typeof (headers as { get?: unknown }).get === "function") return (headers as { get(name: string): string | null }).get(name);
    const value = (headers as Record<string, string | string[] | undefined>)[name];
    return Array.isArray(value) ? value.join(",") : (value ?? null);
  };
  const forwarded = (read("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  const hops = Math.max(0, Number(process.env.ZTIX_TRUSTED_PROXIES ?? "0") || 0);
  const candidate = forwarded[forwarded.length - 1 - hops] ?? forwarded[0] ?? read("x-real-ip");
  return candidate ? candidate.replace(/^::ffff:/, "").slice(0, 64) : null;
}
