'use client';

import { useRouter } from 'next/navigation';
import { ConsoleForm } from './ConsoleForm';
import { useId, useState, type ReactNode } from 'react';
import type { ProcessPreview, ProcessPublication, ProcessSettings, StepSettings } from '@/domain/admin/processes';
import { callApi } from './api';
import { FormMessage, type FormOutcome } from './FormMessage';
import { ProcessDiagram } from './ProcessDiagram';

/** What the editor shows of a step besides its settings. */
export interface EditorStep {
  id: string;
  label: string;
  kind: string;
  kindName: string;
  levelLabels: string[];
  ruleConditions: string[];
}

type Option = { value: string; label: string };
type FieldErrors = Array<{ path: string; message: string }>;

const cascadeHint = 'Pourcentages du délai et destinataires, ex. 66:department, 100:head, 150:administrators (vide : aucune relance propre).';
const durationHint = 'ISO 8601 : P8D = 8 jours, P2W = 2 semaines, PT48H = 48 heures.';

/**
 * Edits the settings of a process a municipality changes most, previews the result (diagram and the guaranteed date
 * of a request filed now) and publishes it as a new version; the API's errors show next to their fields.
 */
export function ProcessEditor(props: {
  tenant: string;
  slug: string;
  title: string;
  shipped: boolean;
  initial: ProcessSettings;
  steps: EditorStep[];
  departments: Option[];
  messageTemplates: Option[];
}) {
  const { tenant, slug, steps } = props;
  const router = useRouter();
  const id = useId();
  const [settings, setSettings] = useState<ProcessSettings>(props.initial);
  const [preview, setPreview] = useState<ProcessPreview | null>(null);
  const [errors, setErrors] = useState<FieldErrors>([]);
  const [message, setMessage] = useState<FormOutcome | null>(null);
  const [busy, setBusy] = useState(false);

  const change = (update: (draft: ProcessSettings) => void) => {
    const draft = structuredClone(settings);
    update(draft);
    setSettings(draft);
    setPreview(null);
  };
  const changeStep = (index: number, update: (step: StepSettings) => void) => change((draft) => update(draft.steps![index]));
  const fieldId = (path: string) => `${id}${path.replace(/\//g, '-')}`;
  const errorsAt = (path: string) => errors.filter((e) => e.path === path);
  const describedBy = (path: string, hint?: boolean) => [hint ? `${fieldId(path)}-hint` : '', errorsAt(path).length ? `${fieldId(path)}-error` : ''].filter(Boolean).join(' ') || undefined;
  const ErrorAt = ({ path }: { path: string }) =>
    errorsAt(path).length ? (
      <span id={`${fieldId(path)}-error`} className="alert error">
        {errorsAt(path).map((e) => e.message).join(' ')}
      </span>
    ) : null;
  const Hint = ({ path, children }: { path: string; children: ReactNode }) => (
    <small id={`${fieldId(path)}-hint`} className="muted">
      {children}
    </small>
  );

  function text(path: string, label: string, value: string, onChange: (value: string) => void, hint?: string) {
    return (
      <label>
        {label}
        <input id={fieldId(path)} value={value} onChange={(e) => onChange(e.target.value)} aria-describedby={describedBy(path, !!hint)} aria-invalid={errorsAt(path).length ? true : undefined} autoComplete="off" />
        {hint ? <Hint path={path}>{hint}</Hint> : null}
        <ErrorAt path={path} />
      </label>
    );
  }
  function select(path: string, label: string, value: string, options: Option[], onChange: (value: string) => void) {
    const known = options.some((o) => o.value === value) ? options : [...options, { value, label: `${value} (inconnu)` }];
    return (
      <label>
        {label}
        <select id={fieldId(path)} value={value} onChange={(e) => onChange(e.target.value)} aria-describedby={describedBy(path)} aria-invalid={errorsAt(path).length ? true : undefined}>
          {known.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
        <ErrorAt path={path} />
      </label>
    );
  }
  function checkbox(path: string, label: string, checked: boolean, onChange: (checked: boolean) => void) {
    return (
      <label className="inline">
        <input type="checkbox" id={fieldId(path)} checked={checked} onChange={(e) => onChange(e.target.checked)} /> {label}
        <ErrorAt path={path} />
      </label>
    );
  }

  async function run(kind: 'preview' | 'publish') {
    setBusy(true);
    const url = `/api/v1/t/${tenant}/agent/admin/processes/${slug}${kind === 'preview' ? '/preview' : ''}`;
    const result = await callApi<ProcessPreview & ProcessPublication>(url, { method: 'POST', body: settings });
    setBusy(false);
    if (!result.ok) {
      setErrors(result.errors ?? []);
      setMessage({ kind: 'error', text: result.errors?.length ? `La modification est refusée (${result.errors.length} erreur${result.errors.length > 1 ? 's' : ''}) : rien n’a été enregistré.` : result.message });
      setPreview(null);
      return;
    }
    setErrors([]);
    if (kind === 'preview') {
      setPreview(result.data);
      setMessage(result.data.unchanged ? { kind: 'ok', text: 'Aperçu prêt. Ces réglages sont ceux de la version en vigueur : les publier ne créerait pas de nouvelle version.' } : { kind: 'ok', text: 'Aperçu prêt : vérifiez le schéma et la date garantie, puis publiez.' });
    } else {
      setMessage({ kind: 'ok', text: result.data.message });
      if (result.data.created) {
        setSettings((s) => ({ ...s, baseVersion: result.data.version }));
        setPreview(null);
        router.refresh();
      }
    }
  }

  const allSteps = settings.steps ?? [];
  return (
    <section aria-labelledby={`${id}-title`} className="card stack">
      <h2 id={`${id}-title`}>Modifier les réglages</h2>
      {props.shipped ? (
        <p className="muted">Ce processus est fourni avec Relais : le publier crée la version de votre commune (même identifiant), qui remplace le processus fourni pour votre commune seulement.</p>
      ) : null}
      <ConsoleForm
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          void run('preview');
        }}
      >
        <fieldset className="process-step">
          <legend>Délai garanti annoncé à l’usager</legend>
          {text('/guaranteedDelay/delay', 'Durée', settings.guaranteedDelay.delay, (v) => change((d) => void (d.guaranteedDelay.delay = v)), durationHint)}
          {checkbox('/guaranteedDelay/businessDays', 'En jours ouvrés (sinon calendaires)', settings.guaranteedDelay.businessDays, (v) => change((d) => void (d.guaranteedDelay.businessDays = v)))}
          {text('/escalation', 'Relances sur le délai garanti', settings.escalation ?? '', (v) => change((d) => void (d.escalation = v)), `${cascadeHint} Vide : la cascade du service.`)}
        </fieldset>
        {allSteps.map((step, i) => {
          const meta = steps[i];
          const at = `/steps/${i}`;
          return (
            <fieldset key={step.id} className="process-step">
              <legend>
                {meta?.label ?? step.id} — {meta?.kindName}
              </legend>
              <ErrorAt path={`${at}/id`} />
              {meta?.kind === 'close' && !step.delay.delay && !step.escalation ? (
                <p className="muted">La demande se termine ici : rien à régler.</p>
              ) : (
                <>
                  {text(`${at}/delay/delay`, 'Délai de l’étape', step.delay.delay, (v) => changeStep(i, (s) => void (s.delay.delay = v)), `${durationHint} Vide : pas de délai propre.`)}
                  {checkbox(`${at}/delay/businessDays`, 'Délai de l’étape en jours ouvrés', step.delay.businessDays, (v) => changeStep(i, (s) => void (s.delay.businessDays = v)))}
                  {text(`${at}/escalation`, 'Relances de l’étape', step.escalation, (v) => changeStep(i, (s) => void (s.escalation = v)), cascadeHint)}
                </>
              )}
              {step.department !== undefined ? select(`${at}/department`, 'Service (par défaut)', step.department, props.departments, (v) => changeStep(i, (s) => void (s.department = v))) : null}
              {(step.rules ?? []).map((rule, j) =>
                select(`${at}/rules/${j}/department`, `Service si ${meta?.ruleConditions[j] ?? ''}`, rule.department, props.departments, (v) => changeStep(i, (s) => void (s.rules![j].department = v))),
              )}
              {(step.levels ?? []).map((level, j) => (
                <fieldset key={j}>
                  <legend>Niveau {j + 1} : {meta?.levelLabels[j]}</legend>
                  <ErrorAt path={`${at}/levels/${j}`} />
                  {select(`${at}/levels/${j}/role`, 'Rôle', level.role, [
                    { value: '', label: 'Aucun (valideurs nommés seulement)' },
                    { value: 'validator', label: 'Un valideur du service' },
                    { value: 'administrator', label: 'Un administrateur de la commune' },
                  ], (v) => changeStep(i, (s) => void (s.levels![j].role = v as '' | 'validator' | 'administrator')))}
                  {text(`${at}/levels/${j}/validators`, 'Valideurs nommés (adresses, séparées par des virgules)', level.validators.join(', '), (v) => changeStep(i, (s) => void (s.levels![j].validators = v.split(',').map((x) => x.trim()).filter(Boolean))))}
                </fieldset>
              ))}
              {step.template !== undefined
                ? select(`${at}/template`, 'Modèle de message', step.template, meta?.kind === 'request_information' ? [{ value: '', label: 'Question rédigée par l’agent' }, ...props.messageTemplates] : props.messageTemplates, (v) => changeStep(i, (s) => void (s.template = v)))
                : null}
              {step.timeout !== undefined ? text(`${at}/timeout`, 'Sans réponse de l’usager après', step.timeout, (v) => changeStep(i, (s) => void (s.timeout = v)), durationHint) : null}
              {step.reminderAfter !== undefined ? text(`${at}/reminderAfter`, 'Relancer l’usager après', step.reminderAfter, (v) => changeStep(i, (s) => void (s.reminderAfter = v)), `${durationHint} Vide : pas de relance.`) : null}
            </fieldset>
          );
        })}
        <FormMessage message={message}>
          {errors.length ? (
            <ul>
              {errors.map((e, i) => (
                <li key={i}>
                  <code>{e.path || '/'}</code> : {e.message}
                </li>
              ))}
            </ul>
          ) : null}
        </FormMessage>
        <p>
          <button type="submit" disabled={busy}>
            Prévisualiser
          </button>{' '}
          <button type="button" disabled={busy || !preview} onClick={() => void run('publish')} aria-describedby={`${id}-publish-hint`}>
            Publier comme nouvelle version
          </button>
        </p>
        <small id={`${id}-publish-hint`} className="muted">
          La publication est possible après un aperçu des réglages affichés.
        </small>
      </ConsoleForm>
      {preview ? (
        <section aria-labelledby={`${id}-preview-title`}>
          <h3 id={`${id}-preview-title`}>Aperçu</h3>
          <p>
            Délai garanti : <strong>{preview.guaranteedDelay}</strong>. Une demande déposée maintenant aurait pour date garantie le{' '}
            <strong data-testid="apercu-date">{preview.dueAtText}</strong>.
          </p>
          <ProcessDiagram svg={preview.svg} title={props.title} steps={preview.steps} />
        </section>
      ) : null}
    </section>
  );
}
