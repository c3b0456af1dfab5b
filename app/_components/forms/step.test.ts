import { describe, expect, it } from 'vitest';
import { compileForm } from '@/forms/runtime/compile';
import type { FormDefinition } from '@/forms/runtime/types';
import { validSamples } from '@/forms/samples';
import { SHIPPED_FORMS } from '@/forms/shipped';
import { NAV_FIELD, PAGE_FIELD, RETURN_FIELD, REVIEW_PAGE, editValue, formStep } from './step';
import { ANSWERS_FIELD } from './values';

const definition = SHIPPED_FORMS.find((f) => f.slug === 'acte-mariage')!;
const compiled = compileForm(definition);
const sample = validSamples()['acte-mariage'];

/** The post of one page filled with the sample's answers, as a browser sends it. */
function pagePost(form: FormDefinition, page: number, data: Record<string, unknown>, carried: Record<string, unknown>, nav = 'next'): FormData {
  const post = new FormData();
  post.set(ANSWERS_FIELD, JSON.stringify(carried));
  post.set(PAGE_FIELD, String(page));
  post.set(NAV_FIELD, nav);
  for (const field of form.ui.pages[page].fields) {
    const value = data[field.name.slice(1)];
    if (value === undefined) continue;
    if (field.widget === 'address') for (const [part, text] of Object.entries(value as Record<string, string>)) post.set(`${field.name}/${part}`, text);
    else if (Array.isArray(value)) for (const v of value) post.append(field.name, String(v));
    else if (field.widget === 'checkbox') {
      if (value === true) post.set(field.name, 'oui');
    } else post.set(field.name, String(value));
  }
  return post;
}

function reviewPost(answers: Record<string, unknown>, nav: string): FormData {
  const post = new FormData();
  post.set(ANSWERS_FIELD, JSON.stringify(answers));
  post.set(PAGE_FIELD, REVIEW_PAGE);
  post.set(NAV_FIELD, nav);
  return post;
}

/** Answers of every page before `page`, as the hidden field carries them. */
function answersBefore(page: number): Record<string, unknown> {
  const names = definition.ui.pages.slice(0, page).flatMap((p) => p.fields.map((f) => f.name.slice(1)));
  return Object.fromEntries(Object.entries(sample).filter(([key]) => names.includes(key)));
}

describe('the review step of a smart form', () => {
  const lastPage = definition.ui.pages.length - 1;

  it('shows the review after the last page instead of filing the request', () => {
    const outcome = formStep(definition, compiled, 1, 1, pagePost(definition, lastPage, sample, answersBefore(lastPage)));
    expect(outcome.kind).toBe('page');
    expect(outcome.state).toMatchObject({ review: true, page: lastPage, errors: [] });
    expect(outcome.state.answers).toMatchObject(sample);
  });

  it('files only from the review, after validating every answer again', () => {
    expect(formStep(definition, compiled, 1, 1, pagePost(definition, lastPage, sample, answersBefore(lastPage), 'send')).kind).toBe('page');
    const sent = formStep(definition, compiled, 1, 1, reviewPost(sample, 'send'));
    expect(sent.kind).toBe('submit');
    const tampered = formStep(definition, compiled, 1, 1, reviewPost({ ...sample, dateMariage: 'hier' }, 'send'));
    expect(tampered.kind).toBe('page');
    expect(tampered.state).toMatchObject({ page: 1, fromReview: true });
    expect(tampered.state.review).toBeFalsy();
    expect(tampered.state.errors.map((e) => e.path)).toEqual(['/dateMariage']);
  });

  it('"Modifier" opens the page with the answers kept, and "Continuer" comes back to the review', () => {
    const edit = formStep(definition, compiled, 1, 1, reviewPost(sample, editValue(1)));
    expect(edit.state).toMatchObject({ page: 1, fromReview: true, answers: sample });
    const changed = pagePost(definition, 1, { ...sample, nomEpoux2: 'Petit-Martin' }, sample);
    changed.set(RETURN_FIELD, REVIEW_PAGE);
    const back = formStep(definition, compiled, 1, 2, changed);
    expect(back.state).toMatchObject({ review: true, answers: { ...sample, nomEpoux2: 'Petit-Martin' } });
  });

  it('ignores "Modifier" of a page that is not shown for these answers', () => {
    const hidden = formStep(definition, compiled, 1, 1, reviewPost({ ...sample, typeActe: 'extrait-sans-filiation' }, editValue(2)));
    expect(hidden.state.review).toBe(true);
  });
});
