import { frenchLongDate, frenchMonthAt } from '@/domain/format/french';
import { type TenantDocumentContext } from './data';
import type { DocumentTemplateName } from './templates';

/**
 * Data shaped like what the document activities pass to each built-in template, with the tenant's real letterhead and a
 * made-up request, so an administrator can preview a template before saving it.
 */
export function sampleDocumentData(name: DocumentTemplateName, tenant: TenantDocumentContext, now: Date, publicUrl: string): Record<string, unknown> {
  const common = { tenant: tenant.letterhead, place: tenant.place, dateLong: frenchLongDate(now, tenant.timeZone) };
  const request = {
    reference: '2026-000042',
    subject: 'Demande d’acte de naissance',
    department: 'État civil',
    topic: 'Actes d’état civil',
    recipientLines: ['Jeanne Dupont', '12 rue des Lilas', 'Bâtiment B', '75011 PARIS'],
  };
  switch (name) {
    case 'answer-letter':
      return {
        ...common,
        ...request,
        answer: 'Madame,\n\nVous trouverez ci-joint la copie intégrale de votre acte de naissance.\n\nNous vous prions d’agréer, Madame, nos salutations distinguées.',
      };
    case 'acknowledgement':
      return {
        ...common,
        ...request,
        receivedLong: frenchLongDate(now, tenant.timeZone),
        dueLong: frenchLongDate(new Date(now.getTime() + 8 * 86_400_000), tenant.timeZone),
        trackingUrl: `${publicUrl.replace(/\/$/, '')}/t/${tenant.slug}/suivi/${request.reference}`,
      };
    case 'certificate':
      return {
        ...common,
        ...request,
        title: 'Attestation de demande d’acte de naissance',
        fields: [
          { label: 'Type d’acte', value: 'Copie intégrale' },
          { label: 'Nom', value: 'Dupont' },
          { label: 'Prénoms', value: 'Jeanne, Marie' },
          { label: 'Date de naissance', value: '12/04/1990' },
          { label: 'Commune de naissance', value: tenant.place },
        ],
      };
    case 'quality-report':
      return {
        ...common,
        monthLabel: frenchMonthAt(now, tenant.timeZone),
        rows: [
          { department: 'État civil', received: '1 234', answered: '1 200', median: '30 h', p90: '4 j', onTime: '94 %', overdue: '3' },
          { department: 'Urbanisme', received: '80', answered: '60', median: '8,3 j', p90: '16,7 j', onTime: '50 %', overdue: '12' },
        ],
        totals: { received: '1 314', answered: '1 260', median: '1,6 j', p90: '4,6 j', onTime: '92 %', overdue: '15' },
        comment: 'Hausse saisonnière des demandes d’urbanisme.',
      };
    case 'payment-receipt':
      return {
        ...common,
        ...request,
        regie: `régie de recettes de ${tenant.letterhead.name}`,
        product: 'Théâtre : « Le Malade imaginaire »',
        quantity: 2,
        unitPrice: '12,00 €',
        amount: '24,00 €',
        paidAt: `${frenchLongDate(now, tenant.timeZone)} à 10 h 12`,
        authorisation: '123456',
        providerId: 'a1b2c3d4e5f6',
        paymentReference: '2026000042P01',
      };
  }
}

/** The variables a template may use, as `{{…}}` paths, from its sample data. */
export function templateVariables(data: Record<string, unknown>): string[] {
  return Object.entries(data).flatMap(([key, value]) =>
    value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value).map((inner) => `${key}.${inner}`) : [key],
  );
}
