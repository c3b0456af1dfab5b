import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { MessageTemplate } from '@/domain/entities';
import { DEFAULT_EMAIL_TEMPLATES, renderText, templateError, type MessageKey } from '@/domain/notifications/templates';
import { InputError, compileValidator, type FieldError } from '@/domain/validation';
import { auditAdminChange, type AdminContext } from './context';
import { label } from './fields';

const validateMessageTemplate = compileValidator<{ key: MessageKey; subject?: string; body: string }>({
  type: 'object',
  additionalProperties: false,
  required: ['key'],
  properties: {
    key: { enum: Object.keys(DEFAULT_EMAIL_TEMPLATES), errorMessage: 'Message inconnu.' },
    subject: { type: 'string', maxLength: 300, errorMessage: 'L’objet ne doit pas dépasser 300 caractères.' },
    body: label(20000, 'Saisissez le texte du message.'),
  },
});

/** Sample values of every message variable, for the live preview. */
export const SAMPLE_VARIABLES = {
  tenantName: 'Ville de Démo',
  reference: '2026-000042',
  subject: 'Horaires de la déchetterie',
  citizenName: 'Jeanne Dupont',
  topicLabel: 'Poser une question',
  departmentName: 'Accueil',
  dueDate: '24/03/2026 à 16:37',
  stateLabel: 'Traitement en cours',
  trackingUrl: 'https://relais.example/t/demo/suivi/2026-000042',
  consoleUrl: 'https://relais.example/console/demo/demandes/2026-000042',
  trackingCode: 'ABCD-EFGH-JKLM-NPQR-STUV',
  answer: 'La déchetterie est ouverte du lundi au samedi de 9 h à 18 h.',
  question: 'Pouvez-vous préciser votre adresse ?',
  note: 'Merci de traiter en priorité.',
  percent: 66,
  overdue: false,
  lateBy: '',
  amount: '24,00 €',
  product: 'Théâtre : « Le Malade imaginaire »',
};

/** Renders a message text with sample variables; template syntax errors are field errors. */
export function previewMessage(body: unknown): { subject: string; body: string } {
  const input = validateMessageTemplate(body);
  const errors: FieldError[] = [];
  for (const [path, text] of [['/subject', input.subject ?? ''], ['/body', input.body]] as const) {
    const problem = templateError(text);
    if (problem) errors.push({ path, message: `Variables mal formées : ${problem.split('\n')[0]}` });
  }
  if (errors.length) throw new InputError(errors);
  return { subject: renderText(input.subject ?? '', SAMPLE_VARIABLES), body: renderText(input.body, SAMPLE_VARIABLES) };
}

/** Saves a tenant's text of an outgoing e-mail (acknowledgement, reminders, answer, notifications). */
export async function saveMessageTemplate(em: EntityManager, ctx: AdminContext, body: unknown): Promise<void> {
  previewMessage(body);
  const input = validateMessageTemplate(body);
  await em.transactional(async (tx) => {
    const current = await tx.findOne(MessageTemplate, { tenant: ctx.tenantId, key: input.key, channel: 'email' }, { refresh: true });
    const before = current && { subject: current.subject ?? null, body: current.body };
    await tx.upsert(
      MessageTemplate,
      { id: randomUUID(), tenant: ctx.tenantId, key: input.key, channel: 'email', subject: input.subject ?? null, body: input.body },
      { onConflictFields: ['tenant', 'key', 'channel'], onConflictAction: 'merge', onConflictMergeFields: ['subject', 'body'] },
    );
    await auditAdminChange(tx, ctx, 'admin.message_template.update', input.key, before, input);
  });
}
