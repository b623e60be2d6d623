import { getCurrentUser } from "@/lib/auth/session";
import { navItems } from "./nav-items";
import { SiteHeaderView } from "./site-header-view";

/** Who is signed in and what they may open; the markup is SiteHeaderView's. */
export async function SiteHeader() {
  const user = await getCurrentUser();
  if (!user) return <SiteHeaderView user={null} items={[]} />;
  const items = user.mustEnrolTwoFactor ? [] : navItems.filter((item) => item.roles.includes(user.role)).map(({ href, label }) => ({ href, label }));
  const networks = user.networks.length > 0 ? user.networks.map((network) => `AS${network.asn}`).join(" · ") : user.role === "member" ? "no networks" : "exchange staff";
  return <SiteHeaderView user={{ name: user.displayName ?? user.username, role: user.role, networks }} items={items} />;
}
