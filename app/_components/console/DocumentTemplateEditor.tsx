'use client';

import { useRouter } from 'next/navigation';
import { ConsoleForm } from './ConsoleForm';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { callApi } from './api';
import { FormMessage, type FormOutcome } from './FormMessage';
import { formatDateTimeWithSeconds } from '@/domain/format/french';

/** A built-in document template with the tenant's version, as the administration lists it. */
export interface DocumentTemplateItem {
  name: string;
  label: string;
  custom: boolean;
  content: string;
  updatedAt: string | null;
  variables: string[];
}

/** Editor of a tenant's version of a PDF template: save, preview with sample data (PDF rendered by the server), back to the built-in one. */
export function DocumentTemplateEditor({ tenant, template }: { tenant: string; template: DocumentTemplateItem }) {
  const router = useRouter();
  const id = useId();
  const [content, setContent] = useState(template.content);
  const [message, setMessage] = useState<FormOutcome | null>(null);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const base = `/api/v1/t/${tenant}/agent/admin`;

  useEffect(() => () => void (preview && URL.revokeObjectURL(preview)), [preview]);

  function showErrors(result: { message: string; errors?: Array<{ path: string; message: string }> }) {
    const own = result.errors?.find((e) => e.path === '/content');
    setFieldError(own?.message ?? null);
    setMessage({ kind: 'error', text: own ? 'Le modèle contient une erreur : corrigez-la puis réessayez.' : result.message });
  }

  async function showPreview() {
    setBusy(true);
    setMessage(null);
    try {
      const response = await fetch(`${base}/document-preview`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: template.name, content }),
        credentials: 'same-origin',
      });
      if (response.ok) {
        setFieldError(null);
        setPreview(URL.createObjectURL(await response.blob()));
        setMessage({ kind: 'ok', text: 'Aperçu généré avec des données d’exemple.' });
      } else {
        const data = (await response.json().catch(() => null)) as { error?: string; errors?: Array<{ path: string; message: string }> } | null;
        // An old preview next to an error would show a version that is no longer the one being edited.
        setPreview(null);
        showErrors({ message: data?.error ?? data?.errors?.map((e) => e.message).join(' ') ?? `Erreur ${response.status}`, errors: data?.errors });
      }
    } catch {
      setMessage({ kind: 'error', text: 'Le serveur ne répond pas : vérifiez votre connexion puis réessayez.' });
    } finally {
      setBusy(false);
    }
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    const result = await callApi<{ message: string }>(`${base}/document-templates`, { method: 'POST', body: { name: template.name, content } });
    setBusy(false);
    if (!result.ok) return showErrors(result);
    setFieldError(null);
    setMessage({ kind: 'ok', text: result.data.message });
    router.refresh();
  }

  async function reset() {
    if (!window.confirm(`Revenir au modèle par défaut pour « ${template.label} » ? Votre version sera supprimée.`)) return;
    setBusy(true);
    const result = await callApi(`${base}/document-templates?name=${encodeURIComponent(template.name)}`, { method: 'DELETE' });
    setBusy(false);
    if (!result.ok) return showErrors(result);
    setFieldError(null);
    setMessage({ kind: 'ok', text: 'Le modèle par défaut est rétabli.' });
    router.refresh();
  }

  // After a reset the server sends the built-in content: show it.
  useEffect(() => setContent(template.content), [template.content]);

  const fieldId = `${id}-content`;
  return (
    <ConsoleForm onSubmit={save} className="card stack" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>
        {template.label}{' '}
        <small className="muted">
          {template.custom ? `(personnalisé${template.updatedAt ? `, modifié le ${formatDateTimeWithSeconds(new Date(template.updatedAt))}` : ''})` : '(modèle par défaut)'}
        </small>
      </h3>
      <FormMessage message={message} />
      <label htmlFor={fieldId}>Contenu HTML et Handlebars</label>
      <small id={`${fieldId}-hint`} className="muted">
        Variables : {template.variables.map((v) => `{{${v}}}`).join(' ')}. Blocs : {'{{#if …}} {{#each …}} {{#unless …}} {{#with …}}'}. Pas de script ni de ressource
        externe : les images s’insèrent en data:image/….
      </small>
      <textarea
        id={fieldId}
        rows={14}
        value={content}
        onChange={(e) => setContent(e.target.value)}
        spellCheck={false}
        aria-describedby={[`${fieldId}-hint`, fieldError ? `${fieldId}-error` : ''].filter(Boolean).join(' ')}
        aria-invalid={fieldError ? true : undefined}
      />
      {fieldError ? (
        <span id={`${fieldId}-error`} className="alert error">
          {fieldError}
        </span>
      ) : null}
      <div className="row">
        <button type="button" className="secondary" onClick={showPreview} disabled={busy}>
          Prévisualiser
        </button>
        <button type="submit" disabled={busy}>
          Enregistrer ce modèle
        </button>
        {template.custom ? (
          <button type="button" className="secondary" onClick={reset} disabled={busy}>
            Revenir au modèle par défaut
          </button>
        ) : null}
      </div>
      {preview ? (
        <div className="stack">
          <a href={preview} target="_blank" rel="noreferrer">
            Ouvrir l’aperçu PDF dans un nouvel onglet
          </a>
          <iframe src={preview} title={`Aperçu : ${template.label}`} style={{ width: '100%', height: '40rem', border: '1px solid var(--border)' }} />
        </div>
      ) : null}
    </ConsoleForm>
  );
}
