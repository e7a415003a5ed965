import type { ReactNode } from "react";
import { TopNav } from "./_components/top-nav";
import { Providers } from "./providers";
import "./globals.css";

export const metadata = { title: "Switchyard", description: "Self-hosted LLM gateway and chat workspace" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>
          <TopNav />
          {children}
        </Providers>
      </body>
    </html>
  );
}
