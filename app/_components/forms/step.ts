import type { CompiledForm, FormDefinition, FormError } from '../../../forms/runtime';
import { ANSWERS_FIELD, mergePage, pageErrors, pageOfFirstError, parseAnswers, readPageValues, visiblePages } from './values';

/** What the wizard shows: the page, the answers so far, and the errors of that page. */
export interface WizardState {
  page: number;
  answers: Record<string, unknown>;
  errors: FormError[];
  version: number;
  /** A message that belongs to no field (service unavailable…). */
  notice?: string;
  /** Changes on every server answer, so the page moves focus even when the state looks the same. */
  seq: number;
}

/** Navigation buttons post `__nav`. */
export const NAV_FIELD = '__nav';
/** The page the citizen was on when posting. */
export const PAGE_FIELD = '__page';

/** Outcome of one post: another page to show, or complete data ready for the intake. */
export type StepOutcome = { kind: 'page'; state: WizardState } | { kind: 'submit'; answers: Record<string, unknown>; state: WizardState };

/**
 * One page post, the same with or without JavaScript: merge this page's values, go back without checks, or validate
 * the page with the form runtime; on the last visible page validate everything and, when valid, hand over for intake.
 */
export function formStep(definition: FormDefinition, compiled: CompiledForm, version: number, seq: number, form: FormData): StepOutcome {
  const pages = definition.ui.pages;
  const posted = Number(form.get(PAGE_FIELD));
  const index = Number.isInteger(posted) && posted >= 0 && posted < pages.length ? posted : 0;
  const answers = mergePage(parseAnswers(form.get(ANSWERS_FIELD)), pages[index], readPageValues(pages[index], form));
  const shown = visiblePages(definition, answers);
  const state = (page: number, errors: FormError[] = []): WizardState => ({ page, answers, errors, version, seq });

  if (form.get(NAV_FIELD) === 'prev') {
    const previous = [...shown].reverse().find((i) => i < index);
    return { kind: 'page', state: state(previous ?? shown[0] ?? 0) };
  }
  const result = compiled.validate(answers);
  const here = pageErrors(pages[index], result.errors);
  if (here.length) return { kind: 'page', state: state(index, here) };
  const next = shown.find((i) => i > index);
  if (next !== undefined) return { kind: 'page', state: state(next) };
  if (!result.valid) {
    // Errors on earlier pages (an answer changed the rules since): go back to the first one.
    const target = pageOfFirstError(definition, result.errors);
    if (target !== undefined) return { kind: 'page', state: state(target, pageErrors(pages[target], result.errors)) };
    return { kind: 'page', state: { ...state(index, result.errors), notice: result.errors.map((e) => e.message).join(' ') } };
  }
  return { kind: 'submit', answers: result.data ?? answers, state: state(index) };
}

/** Shows intake refusals (paths under `/data`) on the page of their field. */
export function refusedState(definition: FormDefinition, previous: WizardState, errors: FormError[]): WizardState {
  const mapped = errors.map((e) => ({ path: e.path.startsWith('/data') ? e.path.slice('/data'.length) : e.path, message: e.message }));
  const target = pageOfFirstError(definition, mapped);
  if (target === undefined) return { ...previous, errors: [], notice: mapped.map((e) => e.message).join(' ') };
  return { ...previous, page: target, errors: pageErrors(definition.ui.pages[target], mapped) };
}
