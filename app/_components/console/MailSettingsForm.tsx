'use client';

import { useRouter } from 'next/navigation';
import { ConsoleForm } from './ConsoleForm';
import { useId, useState, type FormEvent } from 'react';
import { callApi } from './api';
import { FormMessage, type FormOutcome } from './FormMessage';

/** The stored settings as the form starts from them (the mailbox password is never sent to the browser). */
export interface MailSettingsInitial {
  addresses: string[];
  defaultTopic?: string;
  keywordRules: Array<{ keywords: string[]; topic: string }>;
  acknowledgeBySms: boolean;
  acknowledgementsPerHour: number;
  imap: { url: string; user: string; mailbox?: string; importedFolder?: string; tlsInsecure?: boolean; hasPassword: boolean } | null;
}

type Rule = { key: number; topic: string; keywords: string };

/** Edits a tenant's inbound e-mail settings and shows the field errors the API answers with. */
export function MailSettingsForm({ tenant, initial, topics }: { tenant: string; initial: MailSettingsInitial; topics: Array<{ slug: string; label: string }> }) {
  const router = useRouter();
  const id = useId();
  const [rules, setRules] = useState<Rule[]>(initial.keywordRules.map((r, i) => ({ key: i, topic: r.topic, keywords: r.keywords.join(', ') })));
  const [nextKey, setNextKey] = useState(initial.keywordRules.length);
  const [message, setMessage] = useState<FormOutcome | null>(null);
  const [errors, setErrors] = useState<Array<{ path: string; message: string }>>([]);
  const errorsAt = (prefix: string) => errors.filter((e) => e.path === prefix || e.path.startsWith(`${prefix}/`));
  const ErrorsAt = ({ at }: { at: string }) => (
    <>
      {errorsAt(at).map((e, i) => (
        <span key={i} className="alert error">
          {e.message}
        </span>
      ))}
    </>
  );

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const hasMailbox = form.get('removeMailbox') !== 'on' && text('imapUrl') !== '';
    const perHour = text('acknowledgementsPerHour');
    const body = {
      addresses: text('addresses').split(/\r?\n/).map((a) => a.trim()).filter(Boolean),
      ...(text('defaultTopic') ? { defaultTopic: text('defaultTopic') } : {}),
      keywordRules: rules.map((r) => ({ topic: r.topic, keywords: r.keywords.split(',').map((k) => k.trim()).filter(Boolean) })),
      acknowledgeBySms: form.get('acknowledgeBySms') === 'on',
      acknowledgementsPerHour: /^\d+$/.test(perHour) ? Number(perHour) : perHour,
      imap: hasMailbox
        ? {
            url: text('imapUrl'),
            user: text('imapUser'),
            ...(String(form.get('imapPassword') ?? '') ? { password: String(form.get('imapPassword')) } : {}),
            ...(text('imapMailbox') ? { mailbox: text('imapMailbox') } : {}),
            ...(text('imapImportedFolder') ? { importedFolder: text('imapImportedFolder') } : {}),
            tlsInsecure: form.get('imapTlsInsecure') === 'on',
          }
        : null,
    };
    const result = await callApi<{ message: string }>(`/api/v1/t/${tenant}/agent/admin/mail`, { method: 'PUT', body });
    if (result.ok) {
      setErrors([]);
      setMessage({ kind: 'ok', text: result.data.message });
      router.refresh();
    } else {
      setErrors(result.errors ?? []);
      setMessage({ kind: 'error', text: result.message });
    }
  }

  const imap = initial.imap;
  return (
    <ConsoleForm onSubmit={submit} className="card stack" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Réglages</h2>
      <FormMessage message={message} />
      <label>
        Adresses de la commune transférées à Relais
        <textarea name="addresses" rows={4} defaultValue={initial.addresses.join('\n')} aria-describedby={`${id}-addresses-hint`} />
        <small id={`${id}-addresses-hint`} className="muted">
          Une adresse par ligne (par exemple mairie@ville.fr), dont les messages sont transférés à Relais.
        </small>
        <ErrorsAt at="/addresses" />
      </label>
      <label>
        Thème par défaut
        <select name="defaultTopic" defaultValue={initial.defaultTopic ?? ''}>
          <option value="">Le premier thème actif</option>
          {topics.map((t) => (
            <option key={t.slug} value={t.slug}>
              {t.label}
            </option>
          ))}
        </select>
        <ErrorsAt at="/defaultTopic" />
      </label>
      <fieldset className="stack">
        <legend>Règles par mots-clés</legend>
        <p className="muted">La première règle dont un mot-clé figure dans l’objet, puis dans le texte, choisit le thème.</p>
        {rules.map((rule, i) => (
          <div key={rule.key} className="stack">
            <label>
              Thème de la règle {i + 1}
              <select value={rule.topic} onChange={(e) => setRules(rules.map((r) => (r.key === rule.key ? { ...r, topic: e.target.value } : r)))}>
                {topics.map((t) => (
                  <option key={t.slug} value={t.slug}>
                    {t.label}
                  </option>
                ))}
              </select>
              <ErrorsAt at={`/keywordRules/${i}/topic`} />
            </label>
            <label>
              Mots-clés de la règle {i + 1} (séparés par des virgules)
              <input value={rule.keywords} onChange={(e) => setRules(rules.map((r) => (r.key === rule.key ? { ...r, keywords: e.target.value } : r)))} />
              <ErrorsAt at={`/keywordRules/${i}/keywords`} />
            </label>
            <button type="button" onClick={() => setRules(rules.filter((r) => r.key !== rule.key))}>
              Supprimer la règle {i + 1}
            </button>
          </div>
        ))}
        <button
          type="button"
          onClick={() => {
            setRules([...rules, { key: nextKey, topic: topics[0]?.slug ?? '', keywords: '' }]);
            setNextKey(nextKey + 1);
          }}
        >
          Ajouter une règle
        </button>
      </fieldset>
      <label className="inline">
        <input type="checkbox" name="acknowledgeBySms" defaultChecked={initial.acknowledgeBySms} /> Accuser aussi réception par SMS quand un numéro de mobile est connu
        <ErrorsAt at="/acknowledgeBySms" />
      </label>
      <label>
        Accusés de réception par expéditeur et par heure
        <input name="acknowledgementsPerHour" type="number" min={0} max={1000} defaultValue={initial.acknowledgementsPerHour} />
        <small className="muted">De 0 à 1 000 ; au-delà, les demandes sont enregistrées sans accusé de réception.</small>
        <ErrorsAt at="/acknowledgementsPerHour" />
      </label>
      <fieldset className="stack">
        <legend>Boîte aux lettres relevée (IMAP)</legend>
        <label>
          Adresse du serveur
          <input name="imapUrl" defaultValue={imap?.url ?? ''} placeholder="imaps://imap.ville.fr:993" autoComplete="off" />
          <ErrorsAt at="/imap/url" />
        </label>
        <label>
          Identifiant
          <input name="imapUser" defaultValue={imap?.user ?? ''} autoComplete="off" />
          <ErrorsAt at="/imap/user" />
        </label>
        <label>
          Mot de passe
          <input name="imapPassword" type="password" defaultValue="" autoComplete="new-password" aria-describedby={`${id}-password-hint`} />
          <small id={`${id}-password-hint`} className="muted">
            {imap?.hasPassword ? 'Laissé vide : inchangé.' : 'Aucun mot de passe enregistré.'} Il est chiffré et n’est jamais réaffiché.
          </small>
          <ErrorsAt at="/imap/password" />
        </label>
        <label>
          Dossier relevé
          <input name="imapMailbox" defaultValue={imap?.mailbox ?? ''} placeholder="INBOX" />
          <ErrorsAt at="/imap/mailbox" />
        </label>
        <label>
          Dossier des messages importés
          <input name="imapImportedFolder" defaultValue={imap?.importedFolder ?? ''} placeholder="Relais/Importés" />
          <ErrorsAt at="/imap/importedFolder" />
        </label>
        <label className="inline">
          <input type="checkbox" name="imapTlsInsecure" defaultChecked={imap?.tlsInsecure ?? false} /> Accepter un certificat non vérifié (serveur de test uniquement)
        </label>
        {imap ? (
          <label className="inline">
            <input type="checkbox" name="removeMailbox" /> Supprimer la boîte (Relais ne la relèvera plus)
          </label>
        ) : null}
        <ErrorsAt at="/imap" />
      </fieldset>
      <button type="submit">Enregistrer</button>
    </ConsoleForm>
  );
}
