import { describe, expect, it } from 'vitest';
import { validateCitizenReply } from '@/domain/tracking/citizen-reply';
import { assertCleanText } from './text';

describe('texts of public submissions', () => {
  it('accept tabs, line breaks, accents and emoji, and refuse control characters and lone surrogates with their path', () => {
    expect(() => assertCleanText({ subject: 'Été\tà Noël 🎄', message: 'Ligne 1\r\nLigne 2', data: { liste: ['é', 'ü'] } })).not.toThrow();
    for (const bad of ['\u0000', '\u0007', '\u001b', '\u007f', '\ud800', '\udfff']) {
      const error = (() => {
        try {
          assertCleanText({ message: 'ok', data: { 'a/b': [`x${bad}y`] } });
        } catch (e) {
          return e as { errors: Array<{ path: string; message: string }> };
        }
      })();
      expect(error?.errors, JSON.stringify(bad)).toEqual([{ path: '/data/a~1b/0', message: expect.stringMatching(/caractères de contrôle/) }]);
    }
  });

  it('refuse a citizen reply holding a NUL, which the workflow could never store', () => {
    expect(() => validateCitizenReply({ code: 'ABCD-EFGH-IJKL', message: 'Voici\u0000 ma réponse' })).toThrow(expect.objectContaining({ errors: [expect.objectContaining({ path: '/message' })] }));
    expect(validateCitizenReply({ code: 'ABCD-EFGH-IJKL', message: 'Voici ma réponse' }).message).toBe('Voici ma réponse');
  });
});
