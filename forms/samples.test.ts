import { describe, expect, it } from 'vitest';
import { compileForm } from '@/forms/runtime/compile';
import { validSamples } from './samples';
import { SHIPPED_FORMS } from './shipped';

describe('validSamples', () => {
  it.each(['2026-09-01', '2026-11-28', '2027-03-15'])('gives valid data for every shipped form on %s', (day) => {
    const now = new Date(`${day}T10:00:00Z`);
    const samples = validSamples(now);
    for (const definition of SHIPPED_FORMS) {
      const result = compileForm(definition, { now: () => now }).validate(samples[definition.slug]);
      expect(result.errors, definition.slug).toEqual([]);
    }
  });
});
