import type { IntakeChannel } from '@/domain/entities';
import { CHANNEL_LABELS } from '@/domain/states';
import { formatFrenchDateTime } from '@/domain/format/french';
import { EVENT_LABELS } from '@/domain/tracking/public-view';
import type { PersonalData } from './personal-data';
import { DEFAULT_TIME_ZONE } from '@/domain/time-zone';
import { CONSENT_EVENT_LABELS, SUBSCRIPTION_STATUS_LABELS, consentMethodLabel, proofLines } from '@/domain/subscriptions/consent-labels';

/** The jsreport (Handlebars + HTML) template of the right-of-access PDF; every value is escaped by `{{…}}`. */
export const PERSONAL_DATA_TEMPLATE = `<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Données personnelles — {{tenant}}</title>
<style>
@page { size: A4; margin: 18mm 16mm 18mm 16mm; }
body { font-family: 'DejaVu Sans', Arial, Helvetica, sans-serif; font-size: 9.5pt; color: #161616; line-height: 1.4; }
h1 { font-size: 15pt; margin: 0 0 2mm; }
h2 { font-size: 12pt; margin: 7mm 0 2mm; border-bottom: 0.3mm solid #c8c8c8; padding-bottom: 1mm; }
h3 { font-size: 10.5pt; margin: 4mm 0 1mm; }
.muted { color: #595959; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 3mm; }
th, td { border: 0.2mm solid #c8c8c8; padding: 1mm 1.5mm; text-align: left; vertical-align: top; word-break: break-word; }
th { background: #f0f0f0; width: 32%; }
.text { white-space: pre-line; }
.request { page-break-inside: avoid; }
</style></head>
<body>
<h1>Données personnelles détenues par {{tenant}}</h1>
<p class="muted">Personne : {{person}} — document établi le {{generatedAt}} au titre du droit d’accès (article 15 du RGPD).</p>
<p>{{summary}}</p>

<h2>Demandes ({{requests.length}})</h2>
{{#each requests}}
<div class="request">
<h3>Demande {{reference}} — {{subject}}</h3>
<table>
<tr><th>Thème</th><td>{{topic}} ({{department}})</td></tr>
<tr><th>État</th><td>{{stateLabel}}</td></tr>
<tr><th>Reçue le</th><td>{{receivedAt}}</td></tr>
<tr><th>Échéance</th><td>{{dueAt}}</td></tr>
{{#if closedAt}}<tr><th>Close le</th><td>{{closedAt}}</td></tr>{{/if}}
<tr><th>Canal / réponse par</th><td>{{channel}} / {{replyChannel}}</td></tr>
{{#each contact}}<tr><th>{{label}}</th><td>{{value}}</td></tr>{{/each}}
<tr><th>Message</th><td class="text">{{message}}</td></tr>
{{#if answer}}<tr><th>Réponse</th><td class="text">{{answer}}</td></tr>{{/if}}
{{#each formData}}<tr><th>Formulaire : {{label}}</th><td class="text">{{value}}</td></tr>{{/each}}
{{#if consentAt}}<tr><th>Consentement recueilli le</th><td>{{consentAt}}</td></tr>{{/if}}
</table>
{{#if attachments.length}}<p>Pièces jointes : {{#each attachments}}{{name}} ({{size}} octets, {{createdAt}}){{#unless @last}} ; {{/unless}}{{/each}}</p>{{/if}}
{{#if documents.length}}<p>Documents produits : {{#each documents}}{{fileName}} ({{createdAt}}){{#unless @last}} ; {{/unless}}{{/each}}</p>{{/if}}
{{#if events.length}}<p>Historique : {{#each events}}{{type}} le {{at}}{{#unless @last}} ; {{/unless}}{{/each}}</p>{{/if}}
</div>
{{else}}<p>Aucune demande.</p>{{/each}}

<h2>Messages envoyés ({{notifications.length}})</h2>
{{#if notifications.length}}<table><tr><th>Date</th><th>Canal et destinataire</th><th>Objet</th></tr>
{{#each notifications}}<tr><td>{{createdAt}}</td><td>{{channel}} : {{recipient}}</td><td>{{subject}} {{#if reference}}(demande {{reference}}){{/if}}</td></tr>{{/each}}
</table>{{else}}<p>Aucun message.</p>{{/if}}

<h2>SMS envoyés ({{smsSent.length}})</h2>
{{#if smsSent.length}}<table><tr><th>Date</th><th>Numéro</th><th>Texte</th></tr>
{{#each smsSent}}<tr><td>{{createdAt}}</td><td>{{recipient}}</td><td class="text">{{text}}</td></tr>{{/each}}
</table>{{else}}<p>Aucun SMS envoyé.</p>{{/if}}

<h2>SMS reçus ({{smsReceived.length}})</h2>
{{#if smsReceived.length}}<table><tr><th>Date</th><th>Numéro</th><th>Texte</th></tr>
{{#each smsReceived}}<tr><td>{{receivedAt}}</td><td>{{sender}}</td><td class="text">{{text}}</td></tr>{{/each}}
</table>{{else}}<p>Aucun SMS reçu.</p>{{/if}}

<h2>Courriels reçus ({{emailsReceived.length}})</h2>
{{#if emailsReceived.length}}<table><tr><th>Date</th><th>Expéditeur</th><th>Objet</th><th>Texte</th></tr>
{{#each emailsReceived}}<tr><td>{{receivedAt}}</td><td>{{from}}</td><td>{{subject}}</td><td class="text">{{text}}</td></tr>{{/each}}
</table>{{else}}<p>Aucun courriel reçu.</p>{{/if}}

<h2>Abonnements aux listes de diffusion ({{subscriptions.length}})</h2>
{{#each subscriptions}}
<h3>{{listLabel}} — {{channel}} : {{address}}</h3>
<table>
<tr><th>État</th><td>{{status}}</td></tr>
{{#each trail}}<tr><th>{{kind}} le {{at}}</th><td>{{method}}{{#each proof}}<br>{{label}} : {{value}}{{/each}}</td></tr>{{/each}}
</table>
{{else}}<p>Aucun abonnement.</p>{{/each}}

<h2>Messages de campagne ({{campaignMessages.length}})</h2>
{{#if campaignMessages.length}}<table><tr><th>Date</th><th>Campagne</th><th>Destinataire</th></tr>
{{#each campaignMessages}}<tr><td>{{sentAt}}</td><td>{{campaign}} ({{list}})</td><td>{{address}}</td></tr>{{/each}}
</table>{{else}}<p>Aucun message de campagne.</p>{{/if}}
{{#if smsOptOutSince}}<p>Opposition aux SMS (STOP) enregistrée le {{smsOptOutSince}} : elle est conservée pour qu’aucun SMS ne vous soit plus envoyé.</p>{{/if}}
</body></html>`;

const REPLY_LABELS: Record<string, string> = { email: 'courriel', sms: 'SMS', post: 'courrier postal' };

const CONTACT_LABELS: Record<string, string> = { name: 'Nom', email: 'Adresse électronique', phone: 'Téléphone', postalAddress: 'Adresse postale' };

function formValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'oui' : 'non';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The values the PDF template shows: French dates in the tenant's time zone, contact and form answers as labelled rows. */
export function personalDataPdfModel(data: PersonalData, timeZone = DEFAULT_TIME_ZONE) {
  const at = (value: string | null) => (value ? formatFrenchDateTime(new Date(value), timeZone) : '');
  const person = data.person.kind === 'email' ? `adresse électronique ${data.person.value}` : `téléphone ${data.person.value}`;
  return {
    tenant: data.tenant.name,
    person,
    generatedAt: at(data.generatedAt),
    summary: `${data.requests.length} demande(s), ${data.notifications.length} message(s) envoyé(s), ${data.smsSent.length} SMS envoyé(s), ${data.smsReceived.length} SMS reçu(s), ${data.emailsReceived.length} courriel(s) reçu(s), ${data.subscriptions.length} abonnement(s), ${data.campaignMessages.length} message(s) de campagne.`,
    requests: data.requests.map((r) => ({
      ...r,
      channel: CHANNEL_LABELS[r.channel as IntakeChannel] ?? r.channel,
      replyChannel: REPLY_LABELS[r.replyChannel] ?? r.replyChannel,
      receivedAt: at(r.receivedAt),
      dueAt: at(r.dueAt),
      closedAt: at(r.closedAt),
      consentAt: at(r.consentAt),
      contact: Object.entries(r.citizen ?? {}).filter(([, v]) => v).map(([k, v]) => ({ label: CONTACT_LABELS[k] ?? k, value: String(v) })),
      formData: Object.entries(r.formData ?? {}).map(([k, v]) => ({ label: k, value: formValue(v) })),
      attachments: r.attachments.map((a) => ({ ...a, createdAt: at(a.createdAt) })),
      documents: r.documents.map((d) => ({ ...d, createdAt: at(d.createdAt) })),
      events: r.events.map((e) => ({ type: (e.public && EVENT_LABELS[e.type]) || 'Étape de traitement interne', at: at(e.at) })),
    })),
    notifications: data.notifications.map((n) => ({ ...n, channel: REPLY_LABELS[n.channel] ?? n.channel, createdAt: at(n.createdAt) })),
    smsSent: data.smsSent.map((s) => ({ ...s, createdAt: at(s.createdAt) })),
    smsReceived: data.smsReceived.map((s) => ({ ...s, receivedAt: at(s.receivedAt) })),
    emailsReceived: data.emailsReceived.map((e) => ({ ...e, receivedAt: at(e.receivedAt) })),
    smsOptOutSince: at(data.smsOptOutSince),
    subscriptions: data.subscriptions.map((sub) => ({
      ...sub,
      channel: REPLY_LABELS[sub.channel] ?? sub.channel,
      status: SUBSCRIPTION_STATUS_LABELS[sub.status] ?? sub.status,
      trail: sub.trail.map((e) => ({
        kind: CONSENT_EVENT_LABELS[e.kind] ?? e.kind,
        at: at(e.at),
        method: consentMethodLabel(e.method),
        proof: proofLines(e.proof, { timeZone }),
      })),
    })),
    campaignMessages: data.campaignMessages.map((m) => ({ ...m, sentAt: m.sentAt ? at(m.sentAt) : 'non envoyé' })),
  };
}
