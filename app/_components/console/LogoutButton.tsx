'use client';

import { callApi } from './api';

/** Ends the session and returns to the login page. */
export function LogoutButton({ tenant }: { tenant: string }) {
  return (
    <button
      type="button"
      className="link-button"
      onClick={async () => {
        await callApi(`/api/v1/t/${tenant}/agent/session`, { method: 'DELETE' });
        window.location.assign(`/console/${tenant}/connexion`);
      }}
    >
      Se déconnecter
    </button>
  );
}
