import type { TRole } from "@/lib/auth/roles";

/** The portal's sections, in header order, with the roles that see them. */
export const navItems: { href: string; label: string; roles: TRole[] }[] = [
  { href: "/", label: "Dashboard", roles: ["admin", "operator", "member"] },
  { href: "/requests", label: "Requests", roles: ["admin", "operator"] },
  { href: "/connections", label: "Connections", roles: ["admin", "operator", "member"] },
  { href: "/networks", label: "Networks", roles: ["admin", "operator", "member"] },
  { href: "/participants", label: "Participants", roles: ["admin", "operator", "member"] },
  { href: "/lans", label: "LANs", roles: ["admin", "operator"] },
  { href: "/route-servers", label: "Route servers", roles: ["admin", "operator"] },
  { href: "/jobs", label: "Jobs", roles: ["admin", "operator"] },
  { href: "/policy", label: "Policy", roles: ["admin", "operator", "member"] },
  { href: "/admin/users", label: "Users", roles: ["admin"] },
  { href: "/admin/api-keys", label: "API keys", roles: ["admin"] },
  { href: "/admin/audit", label: "Audit log", roles: ["admin", "operator"] },
  { href: "/account/notifications", label: "Notifications", roles: ["admin", "operator", "member"] },
  { href: "/account", label: "Account", roles: ["admin", "operator", "member"] },
];
