import { getProduct, updateProduct } from '@/domain/payments/products';
import { agentRoute } from '@/app/console/_server/route';

/** One product of the tenant (administrators). */
export const GET = agentRoute<{ tenant: string; slug: string }>('admin', async ({ em, principal, params }) =>
  Response.json(await getProduct(em, principal.tenantId, params.slug), { headers: { 'cache-control': 'no-store' } }),
);

/** Changes a product (the same body as its creation; the slug stays); the stock never drops below what is held or sold. */
export const PUT = agentRoute<{ tenant: string; slug: string }>('admin', async ({ em, principal, params, json }) =>
  Response.json(await updateProduct(em, { tenantId: principal.tenantId, agentId: principal.agentId }, params.slug, await json())),
);
