'use client';

import { useRouter } from 'next/navigation';
import { ConsoleForm } from './ConsoleForm';
import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { callApi } from './api';
import type { CampaignView } from '@/domain/campaigns/campaigns';

interface ComposerTemplate {
  id: string;
  name: string;
  subject: string;
  body: string;
  placeholders: string[];
}

interface ComposerList {
  slug: string;
  label: string;
  channels: Array<'sms' | 'email'>;
  templates: ComposerTemplate[];
}

interface Preview {
  smsText: string;
  sms: { alphabet: 'gsm' | 'ucs2'; units: number; segments: number; remaining: number; nonGsm: string[] };
  recipients: { sms: number; email: number; total: number };
  totalSegments: number;
}

const PLACEHOLDER = /\{\{\s*([a-z][a-z0-9_]{0,39})\s*\}\}/gi;

/**
 * Composes a campaign: a list, a template of the list (or a free text), the values of its fields, the channels; a live
 * preview of the SMS as sent (stop mention included) with its encoding, segments and the recipients. Saved as a
 * draft and sent for a head's approval in one go.
 */
export function CampaignComposer({ tenant, lists, draft }: { tenant: string; lists: ComposerList[]; draft?: CampaignView }) {
  const router = useRouter();
  const id = useId();
  const [listSlug, setListSlug] = useState(draft?.list.slug ?? lists[0]?.slug ?? '');
  const list = lists.find((l) => l.slug === listSlug);
  const [templateId, setTemplateId] = useState(draft?.template ?? '');
  const [title, setTitle] = useState(draft?.title ?? '');
  const [subject, setSubject] = useState(draft?.subject ?? '');
  const [body, setBody] = useState(draft?.body ?? '');
  const [values, setValues] = useState<Record<string, string>>({});
  const [channels, setChannels] = useState<Array<'sms' | 'email'>>(draft?.channels ?? list?.channels ?? []);
  const [emergency, setEmergency] = useState(draft?.emergency ?? false);
  const [scheduledAt, setScheduledAt] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const fields = useMemo(() => [...new Set([...`${subject} ${body}`.matchAll(PLACEHOLDER)].map((m) => m[1].toLowerCase()))], [subject, body]);

  function chooseList(slug: string) {
    setListSlug(slug);
    setTemplateId('');
    setChannels(lists.find((l) => l.slug === slug)?.channels ?? []);
  }

  function chooseTemplate(templateIdValue: string) {
    setTemplateId(templateIdValue);
    const template = list?.templates.find((t) => t.id === templateIdValue);
    if (template) {
      setBody(template.body);
      setSubject(template.subject);
      if (!title) setTitle(template.name);
    }
  }

  // The draft's time in the browser's own time zone, as datetime-local shows it: known only once in the browser.
  useEffect(() => {
    if (!draft?.scheduledAt) return;
    const at = new Date(draft.scheduledAt);
    setScheduledAt(new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 16));
  }, [draft?.scheduledAt]);

  // Debounced: the server measures the SMS as delivery will send it and counts the list's active subscribers.
  useEffect(() => {
    if (!listSlug) return;
    const timer = setTimeout(async () => {
      const result = await callApi<Preview>(`/api/v1/t/${tenant}/agent/campaigns/preview`, { method: 'POST', body: { list: listSlug, body, values } });
      if (result.ok) setPreview(result.data);
    }, 250);
    return () => clearTimeout(timer);
  }, [tenant, listSlug, body, values]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    const fields = {
      list: listSlug,
      ...(templateId ? { template: templateId } : {}),
      title,
      ...(subject.trim() ? { subject } : {}),
      body,
      values,
      channels,
      emergency,
      ...(scheduledAt ? { scheduledAt: new Date(scheduledAt).toISOString() } : {}),
    };
    const created = draft
      ? await callApi<{ id: string }>(`/api/v1/t/${tenant}/agent/campaigns/${draft.id}`, { method: 'PUT', body: fields })
      : await callApi<{ id: string }>(`/api/v1/t/${tenant}/agent/campaigns`, { method: 'POST', body: fields });
    if (!created.ok) {
      setProblem(created.message);
      setBusy(false);
      return;
    }
    const submitted = await callApi(`/api/v1/t/${tenant}/agent/campaigns/${created.data.id}/soumettre`, { method: 'POST' });
    if (!submitted.ok) setProblem(submitted.message);
    router.push(`/console/${tenant}/campagnes/${created.data.id}`);
  }

  const sms = preview?.sms;
  return (
    <ConsoleForm onSubmit={submit} className="stack" aria-describedby={`${id}-help`}>
      <p id={`${id}-help`} className="muted">
        La campagne part après l’approbation d’un chef de service. Chaque SMS se termine par la mention pour se désabonner.
      </p>
      <label htmlFor={`${id}-list`}>Liste</label>
      <select id={`${id}-list`} value={listSlug} onChange={(e) => chooseList(e.target.value)} required>
        {lists.map((l) => (
          <option key={l.slug} value={l.slug}>
            {l.label}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-template`}>Modèle</label>
      <select id={`${id}-template`} value={templateId} onChange={(e) => chooseTemplate(e.target.value)}>
        <option value="">Texte libre</option>
        {(list?.templates ?? []).map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-title`}>Titre (pour la console)</label>
      <input id={`${id}-title`} value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={200} />
      {list?.channels.includes('email') ? (
        <>
          <label htmlFor={`${id}-subject`}>Objet du courriel</label>
          <input id={`${id}-subject`} value={subject} onChange={(e) => setSubject(e.target.value)} maxLength={200} />
        </>
      ) : null}
      <label htmlFor={`${id}-body`}>Message</label>
      <textarea id={`${id}-body`} value={body} onChange={(e) => setBody(e.target.value)} required rows={5} maxLength={1530} />
      {fields.length ? (
        <fieldset>
          <legend>Champs du modèle</legend>
          {fields.map((field) => (
            <p key={field}>
              <label htmlFor={`${id}-v-${field}`}>{field}</label>
              <input id={`${id}-v-${field}`} value={values[field] ?? ''} onChange={(e) => setValues({ ...values, [field]: e.target.value })} required maxLength={500} />
            </p>
          ))}
        </fieldset>
      ) : null}
      <fieldset>
        <legend>Canaux</legend>
        {(list?.channels ?? []).map((channel) => (
          <label key={channel} className="inline">
            <input
              type="checkbox"
              checked={channels.includes(channel)}
              onChange={(e) => setChannels(e.target.checked ? [...channels, channel] : channels.filter((c) => c !== channel))}
            />{' '}
            {channel === 'sms' ? 'SMS' : 'Courriel'}
          </label>
        ))}
      </fieldset>
      <label className="inline">
        <input type="checkbox" checked={emergency} onChange={(e) => setEmergency(e.target.checked)} /> Alerte urgente (envoyée avant les autres campagnes)
      </label>
      <label htmlFor={`${id}-when`}>Envoyer à (laisser vide pour envoyer dès l’approbation)</label>
      <input id={`${id}-when`} type="datetime-local" value={scheduledAt} onChange={(e) => setScheduledAt(e.target.value)} />

      <section aria-labelledby={`${id}-preview`} className="card" aria-live="polite">
        <h2 id={`${id}-preview`}>Aperçu du SMS</h2>
        {preview && sms ? (
          <>
            <pre className="sms-preview" data-testid="sms-preview">
              {preview.smsText}
            </pre>
            <dl className="counters">
              <dt>Encodage</dt>
              <dd data-testid="sms-encoding">{sms.alphabet === 'gsm' ? 'GSM 7 bits' : 'UCS-2 (Unicode)'}</dd>
              <dt>Longueur</dt>
              <dd>
                {sms.units} {sms.alphabet === 'gsm' ? 'septets' : 'caractères UCS-2'}, {sms.remaining} restant(s) dans le dernier segment
              </dd>
              <dt>Segments par SMS</dt>
              <dd data-testid="sms-segments">{sms.segments}</dd>
              <dt>Destinataires</dt>
              <dd data-testid="recipients">
                {preview.recipients.total} ({channels.includes('sms') ? preview.recipients.sms : 0} par SMS, {channels.includes('email') ? preview.recipients.email : 0} par courriel)
              </dd>
              <dt>Segments au total</dt>
              <dd data-testid="total-segments">{channels.includes('sms') ? preview.totalSegments : 0}</dd>
            </dl>
            {sms.nonGsm.length ? (
              <p className="alert warning">
                Ces caractères imposent l’encodage UCS-2, qui réduit un SMS à 70 caractères : {sms.nonGsm.map((c) => `« ${c} »`).join(', ')}.
              </p>
            ) : null}
          </>
        ) : (
          <p className="muted">Choisissez une liste et écrivez le message.</p>
        )}
      </section>

      {problem ? (
        <p className="alert error" role="alert">
          {problem}
        </p>
      ) : null}
      <button type="submit" disabled={busy || !channels.length}>
        {busy ? 'Envoi…' : 'Soumettre pour approbation'}
      </button>
    </ConsoleForm>
  );
}
