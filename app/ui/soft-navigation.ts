"use client";

import { useRouter } from "next/navigation";
import { useCallback, type MouseEvent } from "react";

/**
 * A click handler for a container of plain links: a plain left click on one of them navigates
 * inside the app (as next/link does), anything else (a new tab, a download, another site) is left
 * to the browser. One handler instead of a next/link per link: each next/link costs server
 * rendering time on every page that shows it (bench:pages).
 */
export function useSoftNavigation() {
  const router = useRouter();
  return useCallback(
    (event: MouseEvent<HTMLElement>) => {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      const anchor = event.target instanceof Element ? event.target.closest("a") : null;
      if (!anchor || !event.currentTarget.contains(anchor) || anchor.hasAttribute("download") || (anchor.target && anchor.target !== "_self")) return;
      const target = new URL(anchor.href, window.location.href);
      if (target.origin !== window.location.origin) return;
      event.preventDefault();
      router.push(`${target.pathname}${target.search}${target.hash}`);
    },
    [router],
  );
}
