import type { CompiledForm } from '@/forms/runtime/compile';
import type { FormDefinition, FormError, FormValidationResult } from '@/forms/runtime/types';
import { FORM_TOKEN_FIELD } from '@/domain/antispam/fields';
import { ANSWERS_FIELD, mergePage, pageErrors, pageOfFirstError, parseAnswers, readPageValues, visiblePages } from './values';

/** What the wizard shows: a page or the review, the answers so far, and the errors of that page. */
export interface WizardState {
  page: number;
  /** The review page: every answer checked, the request is sent from here only. */
  review?: boolean;
  /** The citizen left the review to change a page: once every answer is valid again, "Continuer" goes back to it. */
  fromReview?: boolean;
  answers: Record<string, unknown>;
  errors: FormError[];
  version: number;
  /** A message that belongs to no field (service unavailable, submission refused…). */
  notice?: string;
  /** Changes on every server answer, so the page moves focus even when the state looks the same. */
  seq: number;
  /** Signed time the form was first shown, carried from post to post for the minimum fill time. */
  token?: string;
}

/** Navigation buttons post `__nav`: `next`, `prev`, `send` (review only) or `edit:<page>` (review only). */
export const NAV_FIELD = '__nav';
/** The page the citizen was on when posting, or `revue` for the review page. */
export const PAGE_FIELD = '__page';
/** Posted in PAGE_FIELD from the review page, and in RETURN_FIELD while a page is changed from it. */
export const REVIEW_PAGE = 'revue';
/** Set while the citizen changes a page from the review. */
export const RETURN_FIELD = '__retour';

/** The navigation value of the review's "Modifier" button of one page. */
export function editValue(page: number): string {
  return `edit:${page}`;
}

/** Outcome of one post: another page to show, or complete data ready for the intake; `posted` is where the post came from. */
export type StepOutcome =
  | { kind: 'page'; state: WizardState; posted: WizardState }
  | { kind: 'submit'; answers: Record<string, unknown>; state: WizardState; posted: WizardState };

/**
 * One post, the same with or without JavaScript. From a page: merge its values, go back without checks, or validate
 * the page; after the last visible page (or a page changed from the review) comes the review once everything is valid.
 * From the review: "Modifier" opens a page with the answers kept, and only "Envoyer la demande" hands over for intake,
 * after validating everything again.
 */
export function formStep(definition: FormDefinition, compiled: CompiledForm, version: number, seq: number, form: FormData): StepOutcome {
  const pages = definition.ui.pages;
  const rawPage = form.get(PAGE_FIELD);
  const onReview = rawPage === REVIEW_PAGE;
  const posted = Number(rawPage);
  const index = Number.isInteger(posted) && posted >= 0 && posted < pages.length ? posted : 0;
  const carried = parseAnswers(form.get(ANSWERS_FIELD));
  const answers = onReview ? carried : mergePage(carried, pages[index], readPageValues(pages[index], form));
  const shown = visiblePages(definition, answers);
  const last = shown.at(-1) ?? 0;
  const rawToken = form.get(FORM_TOKEN_FIELD);
  const token = typeof rawToken === 'string' && rawToken.length <= 200 ? rawToken : undefined;
  const nav = form.get(NAV_FIELD);
  const fromReview = form.get(RETURN_FIELD) === REVIEW_PAGE;
  const state = (page: number, extra: Partial<WizardState> = {}): WizardState => ({ page, answers, errors: [], version, seq, token, ...extra });
  const reviewState = () => state(last, { review: true });
  const origin = onReview ? reviewState() : state(index, fromReview ? { fromReview } : {});
  const page = (s: WizardState): StepOutcome => ({ kind: 'page', state: s, posted: origin });

  // Errors on a page the citizen already passed (an answer changed the rules since): back to the first one.
  const firstErrorPage = (result: FormValidationResult, at: number): WizardState => {
    const target = pageOfFirstError(definition, result.errors);
    if (target !== undefined) return state(target, { errors: pageErrors(pages[target], result.errors), fromReview: true });
    return { ...state(at), notice: result.errors.map((e) => e.message).join(' ') };
  };

  if (onReview) {
    if (typeof nav === 'string' && nav.startsWith('edit:')) {
      const target = Number(nav.slice('edit:'.length));
      return page(shown.includes(target) ? state(target, { fromReview: true }) : reviewState());
    }
    if (nav === 'prev') return page(state(last));
    const result = compiled.validate(answers);
    if (!result.valid) return page(firstErrorPage(result, last));
    if (nav !== 'send') return page(reviewState());
    return { kind: 'submit', answers: result.data ?? answers, state: reviewState(), posted: origin };
  }

  if (nav === 'prev') {
    const previous = [...shown].reverse().find((i) => i < index);
    return page(state(previous ?? shown[0] ?? 0, fromReview ? { fromReview } : {}));
  }
  const result = compiled.validate(answers);
  const here = pageErrors(pages[index], result.errors);
  if (here.length) return page(state(index, { errors: here, ...(fromReview ? { fromReview } : {}) }));
  if (fromReview && result.valid) return page(reviewState());
  const next = shown.find((i) => i > index);
  if (next !== undefined) return page(state(next, fromReview ? { fromReview } : {}));
  if (!result.valid) return page(firstErrorPage(result, index));
  return page(reviewState());
}

/** Shows intake refusals (paths under `/data`) on the page of their field; others stay on the review as a notice. */
export function refusedState(definition: FormDefinition, previous: WizardState, errors: FormError[]): WizardState {
  const mapped = errors.map((e) => ({ path: e.path.startsWith('/data') ? e.path.slice('/data'.length) : e.path, message: e.message }));
  const target = pageOfFirstError(definition, mapped);
  if (target === undefined) return { ...previous, errors: [], notice: mapped.map((e) => e.message).join(' ') };
  return { ...previous, page: target, review: false, fromReview: true, errors: pageErrors(definition.ui.pages[target], mapped) };
}
