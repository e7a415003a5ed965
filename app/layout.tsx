import type { ReactNode } from "react";

export const metadata = { title: "Switchyard", description: "Self-hosted LLM gateway and chat workspace" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
