import { describe, expect, it } from 'vitest';
import { loadShippedForms } from './load';
import { SHIPPED_FORMS } from './shipped';

describe('SHIPPED_FORMS', () => {
  it('lists exactly the files of forms/definitions, with the same content', () => {
    expect(SHIPPED_FORMS.map((f) => f.slug).sort()).toEqual(loadShippedForms().map((f) => f.slug));
    for (const form of loadShippedForms()) expect(SHIPPED_FORMS.find((f) => f.slug === form.slug)).toEqual(form);
  });
});
