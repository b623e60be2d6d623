import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { SiteHeader } from "./ui/site-header";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "ztix", template: "%s · ztix" },
  description: "Self-hosted Internet Exchange over ZeroTier: member portal and route-server automation",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

// Rendered per request: the demo banner depends on how the process was started, not on the build.
export const dynamic = "force-dynamic";

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen">
        <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:shadow">
          Skip to content
        </a>
        {process.env.ZTIX_DEMO === "1" ? (
          <div role="note" className="bg-amber-300 px-4 py-1.5 text-center text-sm font-medium text-amber-950">
            Demo mode: the ZeroTier controller and PeeringDB are simulators running beside ztix. Nothing here touches a real network.
          </div>
        ) : null}
        <SiteHeader />
        <main id="main" className="mx-auto w-full max-w-6xl px-4 py-8 sm:px-6">
          {children}
        </main>
        <footer className="mx-auto w-full max-w-6xl px-4 pb-8 text-xs text-slate-600 sm:px-6 dark:text-slate-400">
          ztix — a self-hosted Internet Exchange over ZeroTier
        </footer>
      </body>
    </html>
  );
}
