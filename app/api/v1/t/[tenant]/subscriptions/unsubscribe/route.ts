import { appContext } from '@/app/_server/context';
import { handleRoute } from '@/app/_server/http';
import { clientAddress } from '@/domain/antispam/client-address';
import { env } from '@/domain/env';
import { subscriptionPageUrl } from '@/domain/urls';

type Context = { params: Promise<{ tenant: string }> };

/**
 * One-click unsubscription (RFC 8058): the mail client POSTs `List-Unsubscribe=One-Click` to the List-Unsubscribe
 * address and the subscriber leaves the list, without a page or a cookie. The portal's button posts here too.
 */
export async function POST(request: Request, { params }: Context): Promise<Response> {
  return handleRoute(async () => {
    const { tenant } = await params;
    const token = new URL(request.url).searchParams.get('token') ?? '';
    const { subscriptions } = await appContext();
    const done = await subscriptions.unsubscribeByLink(tenant, token, {
      via: 'one_click',
      clientAddress: clientAddress(request.headers, env().RELAIS_TRUSTED_PROXIES),
      userAgent: request.headers.get('user-agent') ?? undefined,
    });
    // A browser (the portal's form) is shown the result; a mail client gets a plain answer.
    if ((request.headers.get('accept') ?? '').includes('text/html')) {
      const page = new URL(subscriptionPageUrl(env().PUBLIC_URL, tenant, 'desabonnement', token));
      page.searchParams.set('fait', '1');
      return Response.redirect(page, 303);
    }
    return new Response(`Désabonnement de « ${done.listLabel} » enregistré.`, { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  });
}

/** A GET (a link opened, or a scanner following it) never unsubscribes: it leads to the portal page with a button. */
export async function GET(request: Request, { params }: Context): Promise<Response> {
  const { tenant } = await params;
  const token = new URL(request.url).searchParams.get('token') ?? '';
  return Response.redirect(subscriptionPageUrl(env().PUBLIC_URL, tenant, 'desabonnement', token), 303);
}
