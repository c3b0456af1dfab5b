'use client';

import { useState, type FormEvent } from 'react';
import { ConsoleForm } from './ConsoleForm';
import { callApi } from './api';

/** Records a counter or phone request on behalf of a citizen; shows the reference and code to hand over. */
export function IntakeForm({ tenant, topics }: { tenant: string; topics: Array<{ slug: string; label: string }> }) {
  const [result, setResult] = useState<{ kind: 'ok' | 'error'; text: string; reference?: string } | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const f = new FormData(form);
    const value = (name: string) => String(f.get(name) ?? '').trim() || undefined;
    const response = await callApi<{ reference: string; trackingCode: string; dueAt: string }>(`/api/v1/t/${tenant}/agent/intake`, {
      method: 'POST',
      body: {
        intakeChannel: value('intakeChannel'),
        topic: value('topic') ?? '',
        subject: value('subject') ?? '',
        message: value('message') ?? '',
        channel: value('channel'),
        contact: { name: value('name'), email: value('email'), phone: value('phone'), postalAddress: value('postalAddress') },
      },
    });
    if (response.ok) {
      setErrors({});
      setResult({
        kind: 'ok',
        reference: response.data.reference,
        text: `Demande ${response.data.reference} enregistrée. Code de suivi à remettre au citoyen : ${response.data.trackingCode}.`,
      });
      form.reset();
    } else {
      setErrors(Object.fromEntries((response.errors ?? []).map((e) => [e.path, e.message])));
      setResult({ kind: 'error', text: response.message });
    }
  }

  const error = (path: string) =>
    errors[path] ? (
      <span className="alert error" id={`err-${path.replaceAll('/', '-')}`}>
        {errors[path]}
      </span>
    ) : null;
  const described = (path: string) => (errors[path] ? `err-${path.replaceAll('/', '-')}` : undefined);

  return (
    <ConsoleForm onSubmit={submit} className="stack" noValidate>
      {result ? (
        <p role={result.kind === 'error' ? 'alert' : 'status'} className={`alert ${result.kind}`}>
          {result.text} {result.reference ? <a href={`/console/${tenant}/demandes/${result.reference}`}>Ouvrir la demande</a> : null}
        </p>
      ) : null}
      <fieldset>
        <legend>Contact reçu</legend>
        <label className="inline">
          <input type="radio" name="intakeChannel" value="counter" defaultChecked /> À l’accueil (guichet)
        </label>
        <label className="inline">
          <input type="radio" name="intakeChannel" value="phone" /> Par téléphone
        </label>
      </fieldset>
      <label>
        Thème
        <select name="topic" required aria-describedby={described('/topic')}>
          {topics.map((t) => (
            <option key={t.slug} value={t.slug}>
              {t.label}
            </option>
          ))}
        </select>
        {error('/topic')}
      </label>
      <label>
        Objet
        <input name="subject" required aria-describedby={described('/subject')} />
        {error('/subject')}
      </label>
      <label>
        Demande du citoyen
        <textarea name="message" rows={5} required aria-describedby={described('/message')} />
        {error('/message')}
      </label>
      <fieldset className="stack">
        <legend>Citoyen</legend>
        <label>
          Nom
          <input name="name" autoComplete="off" />
        </label>
        <label>
          Courriel
          <input name="email" type="email" autoComplete="off" aria-describedby={described('/contact/email')} />
          {error('/contact/email')}
        </label>
        <label>
          Téléphone mobile
          <input name="phone" type="tel" autoComplete="off" aria-describedby={described('/contact/phone')} />
          {error('/contact/phone')}
        </label>
        <label>
          Adresse postale
          <textarea name="postalAddress" rows={2} aria-describedby={described('/contact/postalAddress')} />
          {error('/contact/postalAddress')}
        </label>
        {error('/contact')}
        <label>
          Réponse souhaitée par
          <select name="channel" defaultValue="">
            <option value="">Courriel si possible, sinon SMS</option>
            <option value="email">Courriel</option>
            <option value="sms">SMS</option>
            <option value="post">Courrier postal</option>
          </select>
        </label>
      </fieldset>
      <button type="submit">Enregistrer la demande</button>
    </ConsoleForm>
  );
}
