import type { ReactNode } from 'react';
import './console.css';

/** Console pages share the console stylesheet. */
export default function ConsoleLayout({ children }: { children: ReactNode }) {
  return children;
}
