import type { FieldError } from '@/domain/validation';
import { groupErrors } from './field-errors';

/** What the citizen typed in the question form, as strings, so a refused form comes back as it was. */
export interface QuestionValues {
  topic: string;
  subject: string;
  message: string;
  name: string;
  email: string;
  phone: string;
  postalAddress: string;
  channel: string;
  consent: boolean;
  attachmentIds: string[];
}

/** An empty form, optionally on a topic. */
export function emptyQuestion(topic = ''): QuestionValues {
  return { topic, subject: '', message: '', name: '', email: '', phone: '', postalAddress: '', channel: 'email', consent: false, attachmentIds: [] };
}

/** Id of the form control a JSON pointer of the intake's errors refers to. */
export function fieldIdFor(path: string): string | undefined {
  const ids: Record<string, string> = {
    '/topic': 'champ-theme',
    '/subject': 'champ-objet',
    '/message': 'champ-message',
    '/contact': 'champ-courriel',
    '/contact/name': 'champ-nom',
    '/contact/email': 'champ-courriel',
    '/contact/phone': 'champ-mobile',
    '/contact/postalAddress': 'champ-adresse',
    '/channel': 'champ-canal-email',
    '/consent': 'champ-consentement',
    '/attachments': 'champ-fichiers',
  };
  return ids[path];
}

/** Errors grouped by form control id; errors without a control are kept under "". */
export function errorsByField(errors: FieldError[]): Record<string, string[]> {
  return groupErrors(errors, fieldIdFor);
}
