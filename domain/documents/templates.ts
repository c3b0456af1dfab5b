import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { query } from '@/domain/sql';
import type { PdfTemplate } from '@/domain/documents/pdf';

/** Names of the built-in document templates; a tenant may override any of them, and certificates by form template name. */
export const DOCUMENT_TEMPLATE_NAMES = ['answer-letter', 'acknowledgement', 'certificate', 'quality-report', 'payment-receipt'] as const;
/** One of DOCUMENT_TEMPLATE_NAMES. */
export type DocumentTemplateName = (typeof DOCUMENT_TEMPLATE_NAMES)[number];

// A4 with the recipient block where a French DL window envelope (110 × 220 mm, window 45 × 100 mm,
// 20 mm from the right and 15 mm from the bottom) shows it once the sheet is folded in three:
// 110 mm from the left edge, 55 mm from the top, 85 × 33 mm (6 lines of at most 38 characters).
const BASE_CSS = `
@page { size: A4; margin: 0; }
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; }
body { font-family: 'DejaVu Sans', Arial, Helvetica, sans-serif; font-size: 10.5pt; color: #161616; line-height: 1.45; }
.page { position: relative; width: 210mm; min-height: 297mm; padding: 20mm 20mm 25mm 20mm; }
.letterhead { position: absolute; top: 15mm; left: 20mm; width: 80mm; }
.letterhead .band { width: 18mm; height: 3mm; background: {{tenant.primaryColor}}; margin-bottom: 3mm; }
.letterhead .name { font-size: 15pt; font-weight: bold; color: {{tenant.primaryColor}}; }
.letterhead .lines { font-size: 8.5pt; color: #3a3a3a; margin-top: 1.5mm; }
.letterhead img { max-height: 18mm; max-width: 50mm; display: block; margin-bottom: 2mm; }
.sender { position: absolute; top: 48mm; left: 20mm; width: 80mm; font-size: 9pt; }
.recipient { position: absolute; top: 55mm; left: 110mm; width: 85mm; height: 33mm; overflow: hidden; font-size: 10.5pt; line-height: 1.3; }
.meta { position: absolute; top: 95mm; left: 110mm; width: 80mm; font-size: 9.5pt; }
.body { margin-top: 100mm; }
h1 { font-size: 14pt; margin: 0 0 5mm; color: {{tenant.primaryColor}}; }
h2 { font-size: 11.5pt; margin: 6mm 0 2mm; }
.object { font-weight: bold; margin-bottom: 5mm; }
.text { white-space: pre-line; text-align: justify; }
.signature { margin-top: 12mm; margin-left: 95mm; }
.footer { position: absolute; bottom: 10mm; left: 20mm; right: 20mm; font-size: 7.5pt; color: #595959; border-top: 0.3mm solid #c8c8c8; padding-top: 2mm; text-align: center; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; }
th, td { border: 0.2mm solid #c8c8c8; padding: 1.5mm 2mm; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.num, th.num { text-align: right; }
`;

const LETTERHEAD = `
<div class="letterhead">
  {{#if tenant.logoUrl}}<img src="{{tenant.logoUrl}}" alt="">{{/if}}
  <div class="band"></div>
  <div class="name">{{tenant.name}}</div>
  <div class="lines">{{#each tenant.addressLines}}{{this}}<br>{{/each}}{{#if tenant.phone}}Tél. {{tenant.phone}}<br>{{/if}}{{#if tenant.email}}{{tenant.email}}{{/if}}</div>
</div>`;

const FOOTER = `<div class="footer">{{tenant.name}}{{#each tenant.addressLines}} — {{this}}{{/each}}{{#if tenant.website}} — {{tenant.website}}{{/if}}</div>`;

function documentHtml(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>${title}</title><style>${BASE_CSS}</style></head><body>${body}</body></html>`;
}

const ANSWER_LETTER = documentHtml(
  'Courrier — {{reference}}',
  `<div class="page">
  ${LETTERHEAD}
  <div class="sender">{{department}}<br>Affaire suivie par le service {{department}}</div>
  <div class="recipient">{{#each recipientLines}}{{this}}<br>{{/each}}</div>
  <div class="meta">{{place}}, le {{dateLong}}<br>Référence : {{reference}}</div>
  <div class="body">
    <div class="object">Objet : {{subject}}</div>
    <div class="text">{{answer}}</div>
    <div class="signature">Pour le Maire,<br>le service {{department}}</div>
  </div>
  ${FOOTER}
</div>`,
);

const ACKNOWLEDGEMENT = documentHtml(
  'Accusé de réception — {{reference}}',
  `<div class="page">
  ${LETTERHEAD}
  <div class="recipient">{{#each recipientLines}}{{this}}<br>{{/each}}</div>
  <div class="meta">{{place}}, le {{dateLong}}<br>Référence : {{reference}}</div>
  <div class="body">
    <h1>Accusé de réception</h1>
    <p>Votre demande a bien été reçue par {{tenant.name}} le {{receivedLong}}.</p>
    <table>
      <tr><th scope="row">Référence</th><td>{{reference}}</td></tr>
      <tr><th scope="row">Objet</th><td>{{subject}}</td></tr>
      <tr><th scope="row">Thème</th><td>{{topic}}</td></tr>
      <tr><th scope="row">Service chargé de la demande</th><td>{{department}}</td></tr>
      <tr><th scope="row">Réponse au plus tard le</th><td>{{dueLong}}</td></tr>
    </table>
    <p>Vous pouvez suivre votre demande à l'adresse suivante, avec le code de suivi qui vous a été communiqué lors du dépôt :<br>{{trackingUrl}}</p>
    <p class="text">Conformément au code des relations entre le public et l'administration, le présent accusé de réception vous est délivré pour toute demande adressée à l'administration.</p>
  </div>
  ${FOOTER}
</div>`,
);

const CERTIFICATE = documentHtml(
  '{{title}} — {{reference}}',
  `<div class="page">
  ${LETTERHEAD}
  <div class="recipient">{{#each recipientLines}}{{this}}<br>{{/each}}</div>
  <div class="meta">Référence : {{reference}}</div>
  <div class="body" style="border: 0.6mm double {{tenant.primaryColor}}; padding: 8mm 10mm;">
    <h1 style="text-align:center">{{title}}</h1>
    <p style="text-align:center">{{tenant.name}} — service {{department}}</p>
    <table>
      {{#each fields}}<tr><th scope="row" style="width:45%">{{label}}</th><td>{{value}}</td></tr>{{/each}}
    </table>
    <p>Document établi à la demande de l'intéressé(e) pour servir et valoir ce que de droit.</p>
    <div class="signature" style="margin-left:0;text-align:right">Fait à {{place}}, le {{dateLong}}<br>Pour le Maire et par délégation,<br>l'officier de l'état civil</div>
  </div>
  ${FOOTER}
</div>`,
);

const QUALITY_REPORT = documentHtml(
  'Rapport qualité de service — {{monthLabel}}',
  `<div class="page">
  ${LETTERHEAD}
  <div class="meta" style="top:20mm">Édité le {{dateLong}}</div>
  <div class="body" style="margin-top:45mm">
    <h1>Qualité de service — {{monthLabel}}</h1>
    <p>Demandes des usagers reçues et traitées par service au cours du mois.</p>
    <table>
      <thead><tr><th scope="col">Service</th><th scope="col" class="num">Reçues</th><th scope="col" class="num">Répondues</th><th scope="col" class="num">Délai médian</th><th scope="col" class="num">90ᵉ centile</th><th scope="col" class="num">Dans le délai</th><th scope="col" class="num">En retard</th></tr></thead>
      <tbody>
        {{#each rows}}<tr><td>{{department}}</td><td class="num">{{received}}</td><td class="num">{{answered}}</td><td class="num">{{median}}</td><td class="num">{{p90}}</td><td class="num">{{onTime}}</td><td class="num">{{overdue}}</td></tr>{{/each}}
      </tbody>
      <tfoot><tr><th scope="row">Total</th><th class="num">{{totals.received}}</th><th class="num">{{totals.answered}}</th><th class="num">{{totals.median}}</th><th class="num">{{totals.p90}}</th><th class="num">{{totals.onTime}}</th><th class="num">{{totals.overdue}}</th></tr></tfoot>
    </table>
    {{#if comment}}<h2>Commentaire</h2><p class="text">{{comment}}</p>{{/if}}
  </div>
  ${FOOTER}
</div>`,
);

const PAYMENT_RECEIPT = documentHtml(
  'Reçu de paiement — {{reference}}',
  `<div class="page">
  ${LETTERHEAD}
  <div class="recipient">{{#each recipientLines}}{{this}}<br>{{/each}}</div>
  <div class="meta">{{place}}, le {{dateLong}}<br>Référence de la demande : {{reference}}</div>
  <div class="body">
    <h1>Reçu de paiement</h1>
    <p>{{tenant.name}} certifie avoir reçu le paiement en ligne suivant, encaissé par la {{regie}}.</p>
    <table>
      <tr><th scope="row" style="width:45%">Commune</th><td>{{tenant.name}}</td></tr>
      <tr><th scope="row">Régie</th><td>{{regie}}</td></tr>
      <tr><th scope="row">Objet</th><td>{{product}}{{#if bracket}} — tarif {{bracket}}{{/if}}</td></tr>
      <tr><th scope="row">Quantité</th><td>{{quantity}}</td></tr>
      <tr><th scope="row">Prix unitaire</th><td>{{unitPrice}}</td></tr>
      <tr><th scope="row">Montant payé</th><td><strong>{{amount}}</strong></td></tr>
      <tr><th scope="row">Date et heure du paiement</th><td>{{paidAt}}</td></tr>
      <tr><th scope="row">Numéro d’autorisation (numauto)</th><td>{{authorisation}}</td></tr>
      <tr><th scope="row">Identifiant de l’opération PayFiP (idOp)</th><td>{{providerId}}</td></tr>
      <tr><th scope="row">Référence de la dette (refdet)</th><td>{{paymentReference}}</td></tr>
      <tr><th scope="row">Référence de la demande</th><td>{{reference}}</td></tr>
    </table>
    <p>Paiement par carte bancaire via PayFiP, le service de paiement en ligne de la Direction générale des Finances publiques.</p>
    <p class="text">Conservez ce reçu : il vous sera demandé pour toute réclamation ou demande de remboursement auprès de la régie.</p>
  </div>
  ${FOOTER}
</div>`,
);

/** The built-in templates, French, A4. */
export const DEFAULT_DOCUMENT_TEMPLATES: Record<DocumentTemplateName, PdfTemplate> = {
  'answer-letter': { content: ANSWER_LETTER },
  acknowledgement: { content: ACKNOWLEDGEMENT },
  certificate: { content: CERTIFICATE },
  'quality-report': { content: QUALITY_REPORT },
  'payment-receipt': { content: PAYMENT_RECEIPT },
};

/** The tenant's override of a template, else the first built-in fallback. */
export async function resolveTemplate(em: EntityManager, tenantId: string, names: string[], fallback: DocumentTemplateName): Promise<{ name: string; template: PdfTemplate }> {
  const wanted = [...new Set([...names, fallback])];
  const rows = await query<{ name: string; content: string; helpers: string | null }>(
    em,
    `select name, content, helpers from document_template where tenant_id = ? and name in (${wanted.map(() => '?').join(',')})`,
    [tenantId, ...wanted],
  );
  for (const name of wanted) {
    const row = rows.find((r) => r.name === name);
    if (row) return { name, template: { content: row.content, helpers: row.helpers } };
  }
  return { name: fallback, template: DEFAULT_DOCUMENT_TEMPLATES[fallback] };
}

/** Stores (or replaces) a tenant's version of a document template. */
export async function setDocumentTemplate(em: EntityManager, tenantId: string, name: string, content: string, helpers?: string): Promise<void> {
  await query(
    em,
    `insert into document_template (id, tenant_id, name, content, helpers, updated_at) values (?, ?, ?, ?, ?, now())
     on conflict (tenant_id, name) do update set content = excluded.content, helpers = excluded.helpers, updated_at = now()`,
    [randomUUID(), tenantId, name, content, helpers ?? null],
  );
}

/** Removes a tenant's version of a document template; returns its content, undefined when there was none. */
export async function deleteDocumentTemplate(em: EntityManager, tenantId: string, name: string): Promise<string | undefined> {
  const [row] = await query<{ content: string }>(em, 'delete from document_template where tenant_id = ? and name = ? returning content', [tenantId, name]);
  return row?.content;
}
