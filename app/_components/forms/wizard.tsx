'use client';

import { useActionState, useEffect, useRef, useState, type FormEvent } from 'react';
import { compileForm, type CompiledForm } from '@/forms/runtime/compile';
import { conditionFields } from '@/forms/runtime/conditions';
import type { FormDefinition, UiField } from '@/forms/runtime/types';
import { ErrorSummary } from '@/app/_components/portal/error-summary';
import { FormField } from './fields';
import { ReviewAnswers } from './review';
import { SpamGuardFields } from './spam-guard';
import { NAV_FIELD, PAGE_FIELD, RETURN_FIELD, REVIEW_PAGE, type WizardState } from './step';
import { loadFormValidator } from './validator-loader';
import { ANSWERS_FIELD, errorHref, isFieldVisible, mergePage, pageErrors, readPageValues, visiblePages } from './values';

/** Props of the wizard: a plain definition, the bound server action of one page post, and the first state. */
export interface FormWizardProps {
  definition: FormDefinition;
  /** The script of this definition's validator, generated on the server (the page's policy forbids compiling one here). */
  validatorUrl: string;
  action: (state: WizardState, form: FormData) => Promise<WizardState>;
  initial: WizardState;
}

/**
 * Renders any form definition page by page, then a review of every answer from which the request is sent. Without
 * JavaScript every page is a plain post to the server action; with it, the same runtime validates the page in the
 * browser first and conditional fields appear as you answer.
 */
export function FormWizard({ definition, validatorUrl, action, initial }: FormWizardProps) {
  const [state, formAction, pending] = useActionState(action, initial);
  const [hydrated, setHydrated] = useState(false);
  const [draft, setDraft] = useState(state.answers);
  const [local, setLocal] = useState<{ errors: WizardState['errors']; seq: number } | undefined>();
  const [compiled, setCompiled] = useState<CompiledForm>();
  const page = definition.ui.pages[state.page];
  const errors = local?.errors ?? state.errors;
  const headingRef = useRef<HTMLHeadingElement>(null);
  const firstRender = useRef(true);

  useEffect(() => setHydrated(true), []);
  useEffect(() => {
    let current = true;
    // Until the validator has loaded, or should it fail to, each page is checked by the server on its post.
    loadFormValidator(validatorUrl)
      .then((validateData) => {
        if (current) setCompiled(compileForm(definition, { validateData }));
      })
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [definition, validatorUrl]);
  useEffect(() => {
    setDraft(state.answers);
    setLocal(undefined);
  }, [state]);
  useEffect(() => {
    const isFirst = firstRender.current;
    firstRender.current = false;
    if (errors.length || state.notice) document.getElementById('erreurs')?.focus();
    else if (!isFirst) headingRef.current?.focus();
    // Focus follows each answer of the server (seq) and each client-side check (local.seq).
  }, [state.seq, state.page, local?.seq]);

  const answers = hydrated ? draft : state.answers;
  const shown = visiblePages(definition, answers);
  // The review is the last step of the progress.
  const steps = shown.length + 1;
  const position = state.review ? steps : Math.max(1, shown.indexOf(state.page) + 1);
  const required = new Set((definition.schema.required as string[] | undefined) ?? []);
  const samePage = new Set(page.fields.map((f) => f.name));

  function fieldShown(field: UiField): boolean {
    if (isFieldVisible(definition, answers, field.name)) return true;
    // Before scripts run (or without them) a field that depends on this very page stays visible: the server sorts it out.
    return !hydrated && field.showIf !== undefined && conditionFields(field.showIf).some((name) => samePage.has(name));
  }

  function onChange(event: FormEvent<HTMLFormElement>) {
    if (!hydrated || state.review) return;
    setDraft(mergePage(state.answers, page, readPageValues(page, new FormData(event.currentTarget))));
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
    if (!compiled || state.review || (submitter && submitter.value !== 'next')) return;
    const values = mergePage(state.answers, page, readPageValues(page, new FormData(event.currentTarget)));
    const found = pageErrors(page, compiled.validate(values).errors).filter((e) => page.fields.some((f) => fieldShown(f) && (e.path === f.name || e.path.startsWith(`${f.name}/`))));
    if (found.length) {
      event.preventDefault();
      setLocal({ errors: found, seq: Date.now() });
    }
  }

  const summary = [
    ...(state.notice ? [{ message: state.notice }] : []),
    ...errors.map((e) => ({ message: e.message, href: errorHref(page, e) })),
  ];

  return (
    <form action={formAction} noValidate className="portal-form smart-form" data-browser-checks={compiled ? '' : undefined} onChange={onChange} onSubmit={onSubmit} key={`${state.seq}:${state.page}:${state.review ? REVIEW_PAGE : ''}`}>
      <p className="form-progress" id="progression">
        Étape {position} sur {steps}
      </p>
      <div className="form-progress-bar" aria-hidden="true">
        <span style={{ width: `${Math.round((position / steps) * 100)}%` }} />
      </div>
      <ErrorSummary errors={summary} />
      <h2 ref={headingRef} tabIndex={-1} className="form-page-title" aria-describedby="progression">
        {state.review ? 'Vérifiez vos informations' : page.title}
      </h2>
      <input type="hidden" name={ANSWERS_FIELD} value={JSON.stringify(state.answers)} />
      <input type="hidden" name={PAGE_FIELD} value={state.review ? REVIEW_PAGE : state.page} />
      {state.fromReview && !state.review ? <input type="hidden" name={RETURN_FIELD} value={REVIEW_PAGE} /> : null}
      <SpamGuardFields token={state.token} />
      {/* Enter in a field submits the form's first submit button: make it "Continuer", not "Étape précédente". */}
      {state.review ? null : <button type="submit" name={NAV_FIELD} value="next" className="sr-only" tabIndex={-1} aria-hidden="true" />}
      {state.review ? <ReviewAnswers definition={definition} answers={state.answers} pages={visiblePages(definition, state.answers)} /> : null}
      {!state.review && page.description ? <p className="hint">{page.description}</p> : null}
      {(state.review ? [] : page.fields.filter(fieldShown)).map((field) => (
        <FormField
          key={field.name}
          field={field}
          value={state.answers[field.name.slice(1)]}
          errors={errors.filter((e) => e.path === field.name || e.path.startsWith(`${field.name}/`))}
          optional={!required.has(field.name.slice(1))}
        />
      ))}
      <div className="form-actions">
        {position > 1 ? (
          <button type="submit" name={NAV_FIELD} value="prev" className="button button-secondary" formNoValidate>
            Étape précédente
          </button>
        ) : null}
        {state.review ? (
          <button type="submit" name={NAV_FIELD} value="send" className="button" disabled={pending}>
            Envoyer la demande
          </button>
        ) : (
          <button type="submit" name={NAV_FIELD} value="next" className="button" disabled={pending}>
            Continuer
          </button>
        )}
      </div>
    </form>
  );
}
