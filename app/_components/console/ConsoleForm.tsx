'use client';

import { useSyncExternalStore, type FormHTMLAttributes } from 'react';

const noSubscription = () => () => {};

/** False in the server's HTML and until React has hydrated the page, then true. */
export function useHydrated(): boolean {
  return useSyncExternalStore(noSubscription, () => true, () => false);
}

/**
 * A console form, which submits through JavaScript only. Its controls stay disabled until the page is hydrated: a click
 * before that would submit the form natively, as a GET that puts every field in the URL, a password included.
 */
export function ConsoleForm({ children, ...form }: FormHTMLAttributes<HTMLFormElement>) {
  const hydrated = useHydrated();
  return (
    <form method="post" {...form}>
      <fieldset className="form-controls" disabled={!hydrated}>
        {children}
      </fieldset>
    </form>
  );
}
