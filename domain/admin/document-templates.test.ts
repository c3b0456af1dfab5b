import { describe, expect, it } from 'vitest';
import { DEFAULT_DOCUMENT_TEMPLATES } from '@/domain/documents/templates';
import { InputError } from '@/domain/validation';
import { parseDocumentTemplate, templateSyntaxProblem } from './document-templates';

function fieldErrors(body: unknown) {
  try {
    parseDocumentTemplate(body);
  } catch (error) {
    if (error instanceof InputError) return error.errors;
    throw error;
  }
  return [];
}

describe('document template validation', () => {
  it('accepts every built-in template as it is, so an administrator can start from it', () => {
    for (const [name, template] of Object.entries(DEFAULT_DOCUMENT_TEMPLATES)) expect(templateSyntaxProblem(template.content), name).toBeUndefined();
  });

  it('names the line of a syntax error and the body problems in French', () => {
    expect(fieldErrors({ name: 'acknowledgement', content: '<p>\n{{#if reference}}\n{{/each}}</p>' })).toEqual([
      { path: '/content', message: expect.stringMatching(/^Erreur de syntaxe Handlebars \(ligne 2\) : /) },
    ]);
    expect(fieldErrors({ name: 'acknowledgement', content: '{{*inline}}' })[0].message).toMatch(/décorateurs/);
    expect(fieldErrors(null)).toEqual([{ path: '', message: 'Envoyez le nom et le contenu du modèle.' }]);
    expect(fieldErrors({ name: 'x', content: 3 }).map((e) => e.path)).toEqual(['/name', '/content']);
  });
});
