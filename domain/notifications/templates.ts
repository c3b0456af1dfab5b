import Handlebars from 'handlebars';

/** Keys of the messages sent to citizens. */
export type CitizenTemplate = 'acknowledgement' | 'state_changed' | 'information_requested' | 'answer' | 'payment_receipt';
/** Keys of the messages sent to municipal staff. */
export type StaffTemplate = 'new_request' | 'transferred' | 'reminder';
/** Every message key a tenant may override. */
export type MessageKey = CitizenTemplate | StaffTemplate;

/** A message text: subject (e-mail only) and body with Handlebars variables. */
export interface MessageText {
  subject?: string;
  body: string;
}

/** French defaults, used whenever a tenant has not written its own text. */
export const DEFAULT_EMAIL_TEMPLATES: Record<MessageKey, MessageText> = {
  acknowledgement: {
    subject: '{{tenantName}} — votre demande {{reference}} a bien été reçue',
    body: `Bonjour{{#if citizenName}} {{citizenName}}{{/if}},

{{tenantName}} a bien reçu votre demande « {{subject}} » et vous en remercie.
{{#if followsReference}}
Votre demande {{followsReference}} étant close, votre message a été enregistré comme une nouvelle demande, liée à la précédente.
{{/if}}
Référence : {{reference}}
Code de suivi : {{trackingCode}}
Réponse au plus tard le : {{dueDate}}

Vous pouvez suivre l'avancement de votre demande à tout moment :
{{trackingUrl}}

Sur la page de suivi, saisissez votre référence et votre code de suivi si le lien ne s'ouvre pas.

Pour compléter votre demande, répondez simplement à ce courriel : votre message sera joint à votre dossier.

{{tenantName}}`,
  },
  state_changed: {
    subject: '{{tenantName}} — votre demande {{reference}} : {{stateLabel}}',
    body: `Bonjour{{#if citizenName}} {{citizenName}}{{/if}},

Votre demande {{reference}} « {{subject}} » est maintenant : {{stateLabel}}.

Suivre votre demande : {{trackingUrl}}

Vous pouvez répondre à ce courriel : votre message sera joint à votre demande.

{{tenantName}}`,
  },
  information_requested: {
    subject: '{{tenantName}} — complément d’information demandé ({{reference}})',
    body: `Bonjour{{#if citizenName}} {{citizenName}}{{/if}},

Pour traiter votre demande {{reference}} « {{subject}} », nos services ont besoin d'une précision :

{{question}}

Répondez simplement à ce courriel, ou depuis la page de suivi : {{trackingUrl}}

{{tenantName}}`,
  },
  answer: {
    subject: '{{tenantName}} — réponse à votre demande {{reference}}',
    body: `Bonjour{{#if citizenName}} {{citizenName}}{{/if}},

Voici la réponse à votre demande « {{subject}} » (référence {{reference}}) :

{{answer}}

Retrouvez l'historique de votre demande : {{trackingUrl}}

Une question sur cette réponse ? Répondez à ce courriel : votre message sera joint à votre demande.

{{departmentName}} — {{tenantName}}`,
  },
  payment_receipt: {
    subject: '{{tenantName}} — reçu de votre paiement ({{reference}})',
    body: `Bonjour{{#if citizenName}} {{citizenName}}{{/if}},

Nous avons bien reçu votre paiement de {{amount}} pour « {{product}} » (demande {{reference}}).

Votre reçu est joint à ce courriel au format PDF ; il reste téléchargeable depuis la page de suivi de votre demande :
{{trackingUrl}}

{{tenantName}}`,
  },
  new_request: {
    subject: '[{{tenantName}}] Nouvelle demande {{reference}} — {{topicLabel}}',
    body: `Une nouvelle demande est arrivée dans le service {{departmentName}}.

Référence : {{reference}}
Objet : {{subject}}
Thème : {{topicLabel}}
Échéance : {{dueDate}}

Ouvrir la demande : {{consoleUrl}}`,
  },
  transferred: {
    subject: '[{{tenantName}}] Demande {{reference}} transférée à {{departmentName}}',
    body: `La demande {{reference}} « {{subject}} » a été transférée au service {{departmentName}}.
{{#if note}}
Message du service d'origine : {{note}}
{{/if}}
Échéance inchangée : {{dueDate}}

Ouvrir la demande : {{consoleUrl}}`,
  },
  reminder: {
    subject: '[{{tenantName}}] Relance : demande {{reference}} — {{#if overdue}}délai dépassé{{else}}l’échéance approche{{/if}} ({{percent}} % du délai)',
    body: `{{#if overdue}}Le délai de réponse garanti au citoyen est dépassé depuis le {{dueDate}}{{#if lateBy}} ({{lateBy}} de retard){{/if}}.

La demande {{reference}} « {{subject}} » n'a toujours pas reçu de réponse. Répondez au citoyen sans attendre ou, si la réponse demande encore du temps, dites-lui où en est sa demande.
{{else}}L'échéance approche : la demande {{reference}} « {{subject}} » n'a pas encore reçu de réponse.

{{percent}} % du délai de traitement est écoulé ; la réponse est attendue au plus tard le {{dueDate}}.
{{/if}}

Service : {{departmentName}}

Ouvrir la demande : {{consoleUrl}}`,
  },
};

const compiled = new Map<string, HandlebarsTemplateDelegate>();

/** Renders a template text; plain-text messages, so no HTML escaping. */
export function renderText(template: string, vars: Record<string, unknown>): string {
  let fn = compiled.get(template);
  if (!fn) {
    fn = Handlebars.compile(template, { noEscape: true, strict: false });
    compiled.set(template, fn);
  }
  return fn(vars);
}

/** Checks that a tenant's template compiles; returns the parse error message or undefined. */
export function templateError(template: string): string | undefined {
  try {
    Handlebars.precompile(template);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
