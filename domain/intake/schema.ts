import { PHONE_ERROR } from '@/domain/contact/phone';

/** JSON Schema of `POST /api/v1/t/{tenant}/requests`. */
export const NEW_REQUEST_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['topic', 'subject', 'message', 'contact'],
  properties: {
    topic: { type: 'string', minLength: 1, maxLength: 63, errorMessage: 'Choisissez un thème.' },
    subject: {
      type: 'string',
      minLength: 3,
      maxLength: 200,
      pattern: '\\S',
      errorMessage: "L'objet doit contenir entre 3 et 200 caractères.",
    },
    message: {
      type: 'string',
      minLength: 1,
      maxLength: 10000,
      pattern: '\\S',
      errorMessage: 'Le message doit contenir entre 1 et 10 000 caractères.',
    },
    channel: { enum: ['email', 'sms', 'post'], errorMessage: 'Le canal de réponse doit être email, sms ou post.' },
    data: { type: 'object', maxProperties: 200 },
    attachments: {
      type: 'array',
      maxItems: 5,
      uniqueItems: true,
      items: { type: 'string', format: 'uuid' },
      errorMessage: 'Les pièces jointes doivent être au plus 5 identifiants de fichiers déposés.',
    },
    consent: { type: 'boolean', errorMessage: 'Le consentement doit valoir true ou false.' },
    contact: {
      type: 'object',
      additionalProperties: false,
      properties: {
        name: { type: 'string', maxLength: 200 },
        email: { type: 'string', format: 'email', maxLength: 320, errorMessage: 'Adresse électronique invalide.' },
        phone: {
          type: 'string',
          maxLength: 40,
          format: 'phone',
          errorMessage: PHONE_ERROR,
        },
        postalAddress: { type: 'string', minLength: 10, maxLength: 500, errorMessage: 'Adresse postale incomplète.' },
      },
      anyOf: [{ required: ['email'] }, { required: ['phone'] }],
      errorMessage: { anyOf: 'Indiquez au moins une adresse électronique ou un numéro de mobile.' },
    },
  },
} as const;

/** The body of a new request, once validated. */
export interface NewRequestBody {
  topic: string;
  subject: string;
  message: string;
  channel?: 'email' | 'sms' | 'post';
  data?: Record<string, unknown>;
  /** Ids of files stored beforehand (domain/attachments); the workflow never sees their content. */
  attachments?: string[];
  /** The citizen accepted the processing of their data (the portal form requires it). */
  consent?: boolean;
  contact: { name?: string; email?: string; phone?: string; postalAddress?: string };
}
