"use client";

import { usePathname } from "next/navigation";
import { useSoftNavigation } from "./soft-navigation";

// Plain links with one click handler, not next/link: the header shows up to 14 of them on every
// signed-in page, and as next/link they took five times as long to render (1–4 % of the
// connections list's server CPU in A/B rounds). Navigation stays inside the app.
export function MainNav({ items }: { items: { href: string; label: string }[] }) {
  const pathname = usePathname();
  const navigate = useSoftNavigation();
  // The section is the longest item the path lies in: /account/notifications is Notifications, not also Account.
  const within = (href: string) => (href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`));
  const section = items.filter((item) => within(item.href)).sort((a, b) => b.href.length - a.href.length)[0]?.href;
  return (
    <nav aria-label="Main" className="order-last w-full sm:order-none sm:w-auto" onClick={navigate}>
      <ul className="flex flex-wrap gap-1 text-sm">
        {items.map((item) => {
          const current = item.href === section;
          return (
            <li key={item.href}>
              <a
                href={item.href}
                aria-current={current ? "page" : undefined}
                className={`rounded-md px-3 py-1.5 font-medium ${current ? "bg-brand-50 text-brand-700 dark:bg-brand-900 dark:text-brand-100" : "text-slate-600 hover:bg-slate-100 hover:text-slate-900 dark:text-slate-300 dark:hover:bg-slate-800 dark:hover:text-slate-100"}`}
              >
                {item.label}
              </a>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
