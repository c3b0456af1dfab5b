import { formIntake } from '@/app/_components/forms/server';
import { publicJsonRoute } from '@/app/_server/http';
import { duplicateAnswer } from '@/app/_server/duplicate';

/**
 * Files a citizen request: 201 with reference, tracking code, due date and tracking link; form data is validated against
 * the topic's form. The same contact sending the same text again within minutes gets 200 with the existing reference.
 */
export const POST = publicJsonRoute<{ tenant: string }>(async ({ params, body, clientAddress }) => {
  const outcome = await (await formIntake()).submitRequestWithForm(params.tenant, body, 'web', { clientAddress });
  if (outcome.duplicate) return duplicateAnswer(outcome);
  const { reference, trackingCode, dueAt, trackingUrl } = outcome;
  return Response.json({ reference, trackingCode, dueAt, trackingUrl }, { status: 201 });
});
