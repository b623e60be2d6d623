import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { SiteHeader } from "./ui/site-header";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "ztix", template: "%s · ztix" },
  description: "Self-hosted Internet Exchange over ZeroTier: member portal and route-server automation",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen">
        <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:shadow">
          Skip to content
        </a>
        <SiteHeader />
        <main id="main" className="mx-auto w-full max-w-6xl px-4 py-8 sm:px-6">
          {children}
        </main>
        <footer className="mx-auto w-full max-w-6xl px-4 pb-8 text-xs text-slate-500 sm:px-6">
          ztix — a self-hosted Internet Exchange over ZeroTier
        </footer>
      </body>
    </html>
  );
}
