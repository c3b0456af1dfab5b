'use client';

import { useState, type FormEvent } from 'react';
import { ConsoleForm } from './ConsoleForm';
import { callApi } from './api';

/** E-mail and password login; on success goes to the page the agent wanted. */
export function LoginForm({ tenant, returnTo, oidcLabel }: { tenant: string; returnTo: string; oidcLabel?: string }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const form = new FormData(event.currentTarget);
    const result = await callApi(`/api/v1/t/${tenant}/agent/session`, { method: 'POST', body: { email: form.get('email'), password: form.get('password') } });
    setBusy(false);
    if (result.ok) window.location.assign(returnTo);
    else setError(result.message);
  }

  return (
    <>
      <ConsoleForm onSubmit={submit} className="stack" noValidate>
        {error ? (
          <p role="alert" className="alert error">
            {error}
          </p>
        ) : null}
        <label>
          Adresse électronique
          <input name="email" type="email" autoComplete="username" required />
        </label>
        <label>
          Mot de passe
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        <button type="submit" disabled={busy}>
          Se connecter
        </button>
      </ConsoleForm>
      {oidcLabel ? (
        <p>
          <a className="button secondary" href={`/api/v1/t/${tenant}/agent/oidc/login`}>
            {oidcLabel}
          </a>
        </p>
      ) : null}
      <p>
        <a href={`/console/${tenant}/mot-de-passe`}>Mot de passe oublié ?</a>
      </p>
    </>
  );
}
