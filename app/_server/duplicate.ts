import type { DuplicateReceipt } from '@/domain/intake/duplicates';

/**
 * 200 for a request sent again: its reference and due date, but not its tracking code. Whoever repeats a contact and a
 * text is not proven to be that contact; the code went to the contact's own e-mail or phone with the acknowledgement.
 */
export function duplicateAnswer(duplicate: DuplicateReceipt & { formVersion?: number }): Response {
  return Response.json(
    {
      reference: duplicate.reference,
      dueAt: duplicate.dueAt,
      duplicate: true,
      message: 'Cette demande a déjà été enregistrée. Son code de suivi a été envoyé avec l’accusé de réception.',
      ...(duplicate.formVersion === undefined ? {} : { formVersion: duplicate.formVersion }),
    },
    { status: 200 },
  );
}
