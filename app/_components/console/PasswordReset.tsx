'use client';

import { useState, type FormEvent } from 'react';
import { ConsoleForm } from './ConsoleForm';
import { callApi } from './api';
import { FormMessage, type FormOutcome } from './FormMessage';

/** Asks for a reset link, or (with a token from the e-mail) sets the new password. */
export function PasswordReset({ tenant, token }: { tenant: string; token?: string }) {
  const [message, setMessage] = useState<FormOutcome | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    if (token) {
      if (form.get('password') !== form.get('confirmation')) return setMessage({ kind: 'error', text: 'Les deux mots de passe ne sont pas identiques.' });
      const result = await callApi(`/api/v1/t/${tenant}/agent/password-reset/complete`, { method: 'POST', body: { token, password: form.get('password') } });
      setMessage(result.ok ? { kind: 'ok', text: 'Votre mot de passe a été changé : vous pouvez vous connecter.' } : { kind: 'error', text: result.message });
    } else {
      const result = await callApi<{ message: string }>(`/api/v1/t/${tenant}/agent/password-reset`, { method: 'POST', body: { email: form.get('email') } });
      setMessage(result.ok ? { kind: 'ok', text: result.data.message } : { kind: 'error', text: result.message });
    }
  }

  return (
    <ConsoleForm onSubmit={submit} className="stack" noValidate>
      <FormMessage message={message}>
        {message?.kind === 'ok' && token ? (
          <>
            {' '}
            <a href={`/console/${tenant}/connexion`}>Se connecter</a>
          </>
        ) : null}
      </FormMessage>
      {token ? (
        <>
          <label>
            Nouveau mot de passe (12 caractères au moins)
            <input name="password" type="password" autoComplete="new-password" minLength={12} required />
          </label>
          <label>
            Confirmation
            <input name="confirmation" type="password" autoComplete="new-password" minLength={12} required />
          </label>
          <button type="submit">Changer le mot de passe</button>
        </>
      ) : (
        <>
          <label>
            Adresse électronique
            <input name="email" type="email" autoComplete="username" required />
          </label>
          <button type="submit">Recevoir un lien de réinitialisation</button>
        </>
      )}
    </ConsoleForm>
  );
}
