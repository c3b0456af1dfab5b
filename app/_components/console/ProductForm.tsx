'use client';

import { useRouter } from 'next/navigation';
import { ConsoleForm } from './ConsoleForm';
import { useRef, useState, type FormEvent } from 'react';
import { callApi } from './api';

/** A product as the form starts from: amounts in cents, instants ISO. */
export interface ProductFormValues {
  slug?: string;
  label: string;
  description?: string;
  pricing: { kind: 'fixed'; amount: number } | { kind: 'per_unit'; unitPrice: number } | { kind: 'bracket'; field: string; brackets: Array<{ upTo?: number; unitPrice: number; label?: string }> };
  stock?: number;
  reserved?: number;
  maxPerCitizen?: number;
  salesStart?: string;
  salesEnd?: string;
  active: boolean;
}

const euros = (cents: number | undefined) => (cents === undefined ? '' : (cents / 100).toFixed(2).replace('.', ','));
// "12,50" → 1250; anything else is sent as it is, for the server to refuse with its French message.
const cents = (text: string): number | string => (/^\s*\d{1,7}([,.]\d{1,2})?\s*$/.test(text) ? Math.round(Number(text.trim().replace(',', '.')) * 100) : text);
const integer = (text: string): number | null | string => (text.trim() === '' ? null : /^\s*\d+\s*$/.test(text) ? Number(text) : text);
// datetime-local is the agent's local time: the browser knows its offset.
const localInput = (iso: string | undefined) => {
  if (!iso) return '';
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
const isoOf = (local: string) => (local ? new Date(local).toISOString() : null);

function bracketLines(values: ProductFormValues): string {
  if (values.pricing.kind !== 'bracket') return '';
  return values.pricing.brackets.map((b) => [b.upTo ?? '', euros(b.unitPrice), b.label ?? ''].join(' ; ')).join('\n');
}

/** Creates or edits a catalogue product; the server checks everything and its French field errors show beside each field. */
export function ProductForm({ tenant, initial }: { tenant: string; initial?: ProductFormValues }) {
  const router = useRouter();
  const creating = !initial;
  const [kind, setKind] = useState(initial?.pricing.kind ?? 'fixed');
  const [errors, setErrors] = useState<Array<{ path: string; message: string }>>([]);
  const [feedback, setFeedback] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const summary = useRef<HTMLDivElement>(null);
  const errorOf = (path: string) => errors.filter((e) => e.path === path || e.path.startsWith(`${path}/`)).map((e) => e.message).join(' ');

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const get = (name: string) => String(data.get(name) ?? '');
    const pricing =
      kind === 'fixed'
        ? { kind, amount: cents(get('amount')) }
        : kind === 'per_unit'
          ? { kind, unitPrice: cents(get('unitPrice')) }
          : {
              kind,
              field: get('field'),
              brackets: get('brackets')
                .split('\n')
                .filter((line) => line.trim())
                .map((line) => {
                  const [upTo = '', price = '', label = ''] = line.split(';').map((x) => x.trim());
                  return { ...(upTo ? { upTo: integer(upTo) } : {}), unitPrice: cents(price), ...(label ? { label } : {}) };
                }),
            };
    const body = {
      ...(creating ? { slug: get('slug') } : {}),
      label: get('label'),
      ...(get('description') ? { description: get('description') } : {}),
      pricing,
      stock: integer(get('stock')),
      maxPerCitizen: integer(get('maxPerCitizen')),
      salesStart: isoOf(get('salesStart')),
      salesEnd: isoOf(get('salesEnd')),
      active: data.get('active') === 'on',
    };
    setBusy(true);
    const url = creating ? `/api/v1/t/${tenant}/agent/catalogue` : `/api/v1/t/${tenant}/agent/catalogue/${initial!.slug}`;
    const result = await callApi<{ slug: string }>(url, { method: creating ? 'POST' : 'PUT', body });
    setBusy(false);
    if (result.ok) {
      setErrors([]);
      setFeedback({ kind: 'ok', text: creating ? 'Produit créé.' : 'Produit enregistré.' });
      if (creating) router.push(`/console/${tenant}/catalogue/${result.data.slug}`);
      else router.refresh();
    } else {
      setErrors(result.errors ?? []);
      setFeedback({ kind: 'error', text: result.message });
    }
    summary.current?.focus();
  }

  const field = (name: string, label: string, input: React.ReactNode, hint?: string) => (
    <div className={`field${errorOf(`/${name}`) ? ' field-invalid' : ''}`}>
      <label htmlFor={`produit-${name}`}>{label}</label>
      {hint ? <p className="hint">{hint}</p> : null}
      {errorOf(`/${name}`) ? (
        <p className="field-error" id={`produit-${name}-erreur`}>
          {errorOf(`/${name}`)}
        </p>
      ) : null}
      {input}
    </div>
  );
  const invalid = (name: string) => (errorOf(`/${name}`) ? { 'aria-invalid': true, 'aria-describedby': `produit-${name}-erreur` } : {});

  return (
    <ConsoleForm onSubmit={submit} className="card stack" noValidate aria-label={creating ? 'Nouveau produit' : 'Modifier le produit'}>
      <div ref={summary} tabIndex={-1} role={feedback?.kind === 'error' ? 'alert' : 'status'}>
        {feedback ? <p className={feedback.kind === 'ok' ? 'alert success' : 'alert error'}>{feedback.text}</p> : null}
      </div>
      {creating ? field('slug', 'Identifiant', <input id="produit-slug" name="slug" required maxLength={63} {...invalid('slug')} />, 'Minuscules, chiffres et tirets ; ne change plus ensuite (les démarches le citent).') : null}
      {field('label', 'Nom', <input id="produit-label" name="label" required maxLength={200} defaultValue={initial?.label} {...invalid('label')} />)}
      {field('description', 'Description', <textarea id="produit-description" name="description" rows={2} maxLength={2000} defaultValue={initial?.description} />)}
      {field(
        'pricing',
        'Tarification',
        <select id="produit-pricing" name="kind" value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
          <option value="fixed">Prix fixe</option>
          <option value="per_unit">Prix à l’unité</option>
          <option value="bracket">Prix à l’unité par tranche (quotient familial…)</option>
        </select>,
      )}
      {kind === 'fixed'
        ? field('pricing/amount', 'Montant (en euros)', <input id="produit-pricing/amount" name="amount" inputMode="decimal" defaultValue={initial?.pricing.kind === 'fixed' ? euros(initial.pricing.amount) : ''} {...invalid('pricing/amount')} />)
        : null}
      {kind === 'per_unit'
        ? field('pricing/unitPrice', 'Prix unitaire (en euros)', <input id="produit-pricing/unitPrice" name="unitPrice" inputMode="decimal" defaultValue={initial?.pricing.kind === 'per_unit' ? euros(initial.pricing.unitPrice) : ''} {...invalid('pricing/unitPrice')} />)
        : null}
      {kind === 'bracket' ? (
        <>
          {field('pricing/field', 'Champ du formulaire qui détermine la tranche', <input id="produit-pricing/field" name="field" defaultValue={initial?.pricing.kind === 'bracket' ? initial.pricing.field : 'quotient'} {...invalid('pricing/field')} />)}
          {field(
            'pricing/brackets',
            'Tranches',
            <textarea id="produit-pricing/brackets" name="brackets" rows={4} defaultValue={initial ? bracketLines(initial) : ''} {...invalid('pricing/brackets')} />,
            'Une tranche par ligne : plafond ; prix unitaire en euros ; nom. La dernière n’a pas de plafond. Exemple : 500 ; 1,20 ; Tranche A',
          )}
        </>
      ) : null}
      {field('stock', 'Stock', <input id="produit-stock" name="stock" inputMode="numeric" defaultValue={initial?.stock ?? ''} {...invalid('stock')} />, initial?.reserved ? `Vide : illimité. ${initial.reserved} déjà réservé(s) ou vendu(s).` : 'Vide : illimité.')}
      {field('maxPerCitizen', 'Limite par personne', <input id="produit-maxPerCitizen" name="maxPerCitizen" inputMode="numeric" defaultValue={initial?.maxPerCitizen ?? ''} {...invalid('maxPerCitizen')} />, 'Vide : sans limite.')}
      {field('salesStart', 'Ouverture des ventes', <input id="produit-salesStart" name="salesStart" type="datetime-local" defaultValue={localInput(initial?.salesStart)} {...invalid('salesStart')} />)}
      {field('salesEnd', 'Fin des ventes', <input id="produit-salesEnd" name="salesEnd" type="datetime-local" defaultValue={localInput(initial?.salesEnd)} {...invalid('salesEnd')} />)}
      <label>
        <input type="checkbox" name="active" defaultChecked={initial?.active ?? true} /> En vente
      </label>
      <button type="submit" disabled={busy}>
        {creating ? 'Créer le produit' : 'Enregistrer'}
      </button>
    </ConsoleForm>
  );
}
