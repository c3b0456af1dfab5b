import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Relais', template: '%s — Relais' },
  description: 'Relation citoyen : posez vos questions à votre mairie et suivez vos demandes.',
};

/** Root layout: French everywhere. */
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="fr">
      <body>{children}</body>
    </html>
  );
}
