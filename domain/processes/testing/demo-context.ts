// The names the demo tenant offers, read from its configuration file: checks shipped processes without a database.
import demo from '@/domain/tenant-config/demo-tenant.json' with { type: 'json' };
import type { ProcessContext } from '@/domain/processes/check';
import { CITIZEN_MESSAGE_TEMPLATES, productContext } from '@/domain/processes/context';

/** What tenantContext would build for the freshly imported demo tenant. */
export function demoContext(): ProcessContext {
  const answerTemplates = demo.answerTemplates.map((t) => t.slug);
  return {
    ...productContext(),
    departments: new Set(demo.departments.map((d) => d.slug)),
    answerTemplates: new Set(answerTemplates),
    messageTemplates: new Set([...CITIZEN_MESSAGE_TEMPLATES, ...answerTemplates]),
  };
}
