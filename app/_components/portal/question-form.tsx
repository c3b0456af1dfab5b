'use client';

import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { FieldError } from '@/domain/validation';
import { SpamGuardFields } from '@/app/_components/forms/spam-guard';
import { ErrorSummary } from './error-summary';
import { errorsByField, fieldIdFor, type QuestionValues } from './question-fields';
import { fieldErrorMarks } from './field-errors';

/** A topic the citizen can pick. */
export interface TopicChoice {
  slug: string;
  label: string;
  delay: string;
}

/** A file already stored for this form. */
export interface KeptFile {
  id: string;
  name: string;
  size: number;
}

const MAX_FILES = 5;
const MAX_BYTES = 5 * 1024 * 1024;

/**
 * The question form. A plain multipart post works without JavaScript; with it, the form is sent in the
 * background, errors appear without reload and focus moves to their summary.
 */
export function QuestionForm(props: {
  action: string;
  topics: TopicChoice[];
  values: QuestionValues;
  errors: FieldError[];
  attachments: KeptFile[];
  token: string;
  tenantName: string;
}) {
  const [errors, setErrors] = useState<FieldError[]>(props.errors);
  const [kept, setKept] = useState<KeptFile[]>(props.attachments);
  const [sending, setSending] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const v = props.values;
  const byField = errorsByField(errors);

  useEffect(() => {
    if (errors.length) document.getElementById('erreurs')?.focus();
  }, [errors]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sending) return;
    const form = event.currentTarget;
    const local = checkChosenFiles(fileInput.current?.files, kept.length);
    if (local.length) {
      setErrors(local);
      return;
    }
    setSending(true);
    try {
      const response = await fetch(form.action, { method: 'POST', body: new FormData(form), headers: { accept: 'application/json' } });
      const body = (await response.json().catch(() => ({}))) as { redirect?: string; errors?: FieldError[]; attachments?: KeptFile[] };
      if (response.ok && body.redirect) {
        window.location.assign(body.redirect);
        return;
      }
      if (body.attachments) {
        setKept(body.attachments);
        if (fileInput.current) fileInput.current.value = '';
      }
      setErrors(body.errors?.length ? body.errors : [{ path: '', message: 'Le service est momentanément indisponible. Merci de réessayer.' }]);
    } catch {
      setErrors([{ path: '', message: 'La connexion a été interrompue. Vérifiez votre accès à Internet puis renvoyez le formulaire.' }]);
    } finally {
      setSending(false);
    }
  }

  const { describedBy, invalid, fieldErrors } = fieldErrorMarks(byField);

  return (
    <form className="portal-form" action={props.action} method="post" encType="multipart/form-data" onSubmit={submit} noValidate>
      <ErrorSummary errors={errors.map((e) => ({ message: e.message, href: fieldIdFor(e.path) ? `#${fieldIdFor(e.path)}` : undefined }))} />
      <p className="hint">Tous les champs sont obligatoires sauf mention « facultatif ».</p>
      <SpamGuardFields token={props.token} />

      <fieldset>
        <legend>Votre demande</legend>
        <div className={`field${invalid('champ-theme') ? ' field-invalid' : ''}`}>
          <label htmlFor="champ-theme">Thème</label>
          <p className="hint" id="champ-theme-aide">Le thème choisi détermine le service qui vous répondra.</p>
          {fieldErrors('champ-theme')}
          <select id="champ-theme" name="topic" defaultValue={v.topic} required aria-invalid={invalid('champ-theme')} aria-describedby={describedBy('champ-theme', 'champ-theme-aide')}>
            <option value="">Choisissez un thème</option>
            {props.topics.map((t) => (
              <option key={t.slug} value={t.slug}>
                {t.label} (réponse sous {t.delay})
              </option>
            ))}
          </select>
        </div>
        <div className={`field${invalid('champ-objet') ? ' field-invalid' : ''}`}>
          <label htmlFor="champ-objet">Objet</label>
          <p className="hint" id="champ-objet-aide">En quelques mots, entre 3 et 200 caractères.</p>
          {fieldErrors('champ-objet')}
          <input id="champ-objet" name="subject" type="text" defaultValue={v.subject} required maxLength={200} aria-invalid={invalid('champ-objet')} aria-describedby={describedBy('champ-objet', 'champ-objet-aide')} />
        </div>
        <div className={`field${invalid('champ-message') ? ' field-invalid' : ''}`}>
          <label htmlFor="champ-message">Message</label>
          {fieldErrors('champ-message')}
          <textarea id="champ-message" name="message" rows={8} defaultValue={v.message} required maxLength={10000} aria-invalid={invalid('champ-message')} aria-describedby={describedBy('champ-message')} />
        </div>
        <div className={`field${invalid('champ-fichiers') ? ' field-invalid' : ''}`}>
          <label htmlFor="champ-fichiers">Pièces jointes (facultatif)</label>
          <p className="hint" id="champ-fichiers-aide">Jusqu’à 5 fichiers PDF, JPEG ou PNG de 5 Mo chacun au plus.</p>
          {fieldErrors('champ-fichiers')}
          {kept.length ? (
            <div className="kept-files">
              <p id="champ-fichiers-deja">Fichiers déjà déposés (décochez pour les retirer) :</p>
              <ul aria-labelledby="champ-fichiers-deja">
                {kept.map((f) => (
                  <li key={f.id}>
                    <input type="checkbox" id={`garder-${f.id}`} name="attachmentIds" value={f.id} defaultChecked />
                    <label htmlFor={`garder-${f.id}`}>
                      {f.name} ({Math.max(1, Math.round(f.size / 1024))} ko)
                    </label>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          <input
            ref={fileInput}
            id="champ-fichiers"
            name="files"
            type="file"
            multiple
            accept=".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
            aria-invalid={invalid('champ-fichiers')}
            aria-describedby={describedBy('champ-fichiers', 'champ-fichiers-aide')}
          />
        </div>
      </fieldset>

      <fieldset>
        <legend>Vos coordonnées</legend>
        <p className="hint" id="coordonnees-aide">Indiquez au moins une adresse électronique ou un numéro de mobile.</p>
        <div className={`field${invalid('champ-nom') ? ' field-invalid' : ''}`}>
          <label htmlFor="champ-nom">Nom et prénom (facultatif)</label>
          {fieldErrors('champ-nom')}
          <input id="champ-nom" name="name" type="text" autoComplete="name" defaultValue={v.name} maxLength={200} aria-invalid={invalid('champ-nom')} aria-describedby={describedBy('champ-nom')} />
        </div>
        <div className={`field${invalid('champ-courriel') ? ' field-invalid' : ''}`}>
          <label htmlFor="champ-courriel">Adresse électronique</label>
          <p className="hint" id="champ-courriel-aide">Format attendu : nom@domaine.fr</p>
          {fieldErrors('champ-courriel')}
          <input id="champ-courriel" name="email" type="email" autoComplete="email" defaultValue={v.email} maxLength={320} aria-invalid={invalid('champ-courriel')} aria-describedby={describedBy('champ-courriel', 'coordonnees-aide champ-courriel-aide')} />
        </div>
        <div className={`field${invalid('champ-mobile') ? ' field-invalid' : ''}`}>
          <label htmlFor="champ-mobile">Numéro de mobile</label>
          <p className="hint" id="champ-mobile-aide">Format attendu : 06 12 34 56 78</p>
          {fieldErrors('champ-mobile')}
          <input id="champ-mobile" name="phone" type="tel" autoComplete="tel" defaultValue={v.phone} maxLength={20} aria-invalid={invalid('champ-mobile')} aria-describedby={describedBy('champ-mobile', 'coordonnees-aide champ-mobile-aide')} />
        </div>
        <div className={`field${invalid('champ-adresse') ? ' field-invalid' : ''}`}>
          <label htmlFor="champ-adresse">Adresse postale (facultatif, pour une réponse par courrier)</label>
          {fieldErrors('champ-adresse')}
          <textarea id="champ-adresse" name="postalAddress" rows={3} autoComplete="street-address" defaultValue={v.postalAddress} maxLength={500} aria-invalid={invalid('champ-adresse')} aria-describedby={describedBy('champ-adresse')} />
        </div>
      </fieldset>

      <fieldset aria-describedby={byField['champ-canal-email'] ? 'champ-canal-email-erreur' : undefined}>
        <legend>Comment souhaitez-vous recevoir la réponse ?</legend>
        {fieldErrors('champ-canal-email')}
        <div className="radios">
          {[
            ['email', 'Par courriel'],
            ['sms', 'Par SMS'],
            ['post', 'Par courrier postal'],
          ].map(([value, label]) => (
            <div key={value} className="radio">
              <input type="radio" id={`champ-canal-${value}`} name="channel" value={value} defaultChecked={v.channel === value} />
              <label htmlFor={`champ-canal-${value}`}>{label}</label>
            </div>
          ))}
        </div>
      </fieldset>

      <div className={`field consent${invalid('champ-consentement') ? ' field-invalid' : ''}`}>
        {fieldErrors('champ-consentement')}
        <div className="checkbox">
          <input type="checkbox" id="champ-consentement" name="consent" value="oui" defaultChecked={v.consent} required aria-invalid={invalid('champ-consentement')} aria-describedby={describedBy('champ-consentement', 'consentement-texte')} />
          <label htmlFor="champ-consentement">J’accepte que {props.tenantName} traite ma demande et mes coordonnées pour me répondre.</label>
        </div>
        <p className="hint" id="consentement-texte">
          Vos données servent uniquement à traiter votre demande. Elles sont conservées pendant la durée nécessaire à son traitement puis
          anonymisées. Vous pouvez exercer vos droits d’accès, de rectification et d’effacement auprès de la mairie.
        </p>
      </div>

      <button type="submit" className="button" disabled={sending} aria-disabled={sending}>
        {sending ? 'Envoi en cours…' : 'Envoyer ma question'}
      </button>
    </form>
  );
}

function checkChosenFiles(files: FileList | null | undefined, alreadyKept: number): FieldError[] {
  const list = Array.from(files ?? []);
  const errors: FieldError[] = [];
  if (list.length + alreadyKept > MAX_FILES) errors.push({ path: '/attachments', message: `Vous pouvez joindre au plus ${MAX_FILES} fichiers.` });
  for (const f of list) {
    if (f.size > MAX_BYTES) errors.push({ path: '/attachments', message: `Le fichier « ${f.name} » dépasse 5 Mo.` });
    else if (!/\.(pdf|jpe?g|png)$/i.test(f.name)) errors.push({ path: '/attachments', message: `Le fichier « ${f.name} » n'est pas un PDF, JPEG ou PNG.` });
  }
  return errors;
}
