/** The portal's sections, in the order they appear in the header. */
export const navItems: { href: string; label: string }[] = [{ href: "/", label: "Dashboard" }];
