import type { Metadata } from 'next';
import { headers } from 'next/headers';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Relais', template: '%s — Relais' },
  description: 'Relation citoyen : posez vos questions à votre mairie et suivez vos demandes.',
};

/** Root layout: French everywhere. */
export default async function RootLayout({ children }: { children: ReactNode }) {
  // Reading the request makes every page render per request, so each carries the nonce of its own Content-Security-Policy.
  await headers();
  return (
    <html lang="fr">
      <body>{children}</body>
    </html>
  );
}
