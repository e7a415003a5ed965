import type { ReactNode } from "react";
import { THEME_SCRIPT } from "@/lib/client/theme";
import { TopNav } from "./_components/top-nav";
import { Providers } from "./providers";
import "./globals.css";

// No title here: each page renders its own <title>, and a title from metadata would come first in
// <head> and win over it.
export const metadata = { description: "Self-hosted LLM gateway and chat workspace" };

export const viewport = { width: "device-width", initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    // The theme script sets data-theme on <html> before React hydrates it.
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body>
        <a className="skip-link" href="#main-content">
          Skip to content
        </a>
        <Providers>
          <TopNav />
          <div id="main-content" className="main-content" tabIndex={-1}>
            {children}
          </div>
        </Providers>
      </body>
    </html>
  );
}
