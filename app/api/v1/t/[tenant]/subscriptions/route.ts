import { appContext } from '@/app/_server/context';
import { publicJsonRoute } from '@/app/_server/http';
import { env } from '@/domain/env';
import { subscriptionPageUrl } from '@/domain/urls';

/**
 * Asks to join a list by e-mail and/or SMS: 202, and nothing is active until the e-mailed link or the SMS code confirms
 * it. The answer is the same whether the address was known or not; `codeUrl` is the portal page where the code is typed.
 */
export const POST = publicJsonRoute<{ tenant: string }>(async ({ request, params, body, clientAddress }) => {
  const { subscriptions } = await appContext();
  const receipt = await subscriptions.requestSubscription(params.tenant, body, { via: 'api', clientAddress, userAgent: request.headers.get('user-agent') ?? undefined });
  const codeUrl = receipt.codeToken ? subscriptionPageUrl(env().PUBLIC_URL, params.tenant, 'code', receipt.codeToken) : undefined;
  return Response.json({ status: receipt.status, channels: receipt.channels, ...(codeUrl ? { codeUrl } : {}) }, { status: 202 });
});
