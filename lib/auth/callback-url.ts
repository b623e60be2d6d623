/** Where to go after signing in: only paths on this site (no open redirect). */
export function safeCallbackUrl(value: string | undefined | null): string {
  if (!value) return "/";
  try {
    // Absolute URLs to this site (next-auth produces them) are reduced to their path.
    const url = new URL(value, "http://ztix.invalid");
    if (url.origin !== "http://ztix.invalid" && !isOwnOrigin(url)) return "/";
    const path = `${url.pathname}${url.search}${url.hash}`;
    return path.startsWith("/") && !path.startsWith("//") && !path.startsWith("/login") ? path : "/";
  } catch {
    return "/";
  }
}

function isOwnOrigin(url: URL) {
  const own = process.env.NEXTAUTH_URL;
  return Boolean(own) && new URL(own!).origin === url.origin;
}
