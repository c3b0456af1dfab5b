import { createProduct, listProducts } from '@/domain/payments/products';
import { agentRoute } from '@/app/console/_server/route';

/** The tenant's products, active or not (administrators). */
export const GET = agentRoute('admin', async ({ em, principal }) => Response.json(await listProducts(em, principal.tenantId), { headers: { 'cache-control': 'no-store' } }));

/** Creates a product: `{slug, label, description?, pricing, stock?, maxPerCitizen?, salesStart?, salesEnd?, active}`, amounts in cents. */
export const POST = agentRoute('admin', async ({ em, principal, json }) => {
  const product = await createProduct(em, { tenantId: principal.tenantId, agentId: principal.agentId }, await json());
  return Response.json(product, { status: 201 });
});
