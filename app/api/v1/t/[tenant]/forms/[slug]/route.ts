import { findTenantForm } from '@/domain/intake/forms';
import { appContext } from '@/app/_server/context';
import { handleRoute } from '@/app/_server/http';

/** The current definition of a form a municipality offers (public): the browser validates with it. */
export async function GET(_request: Request, { params }: { params: Promise<{ tenant: string; slug: string }> }): Promise<Response> {
  return handleRoute(async () => {
    const { tenant, slug } = await params;
    const { orm } = await appContext();
    const { form, topic } = await findTenantForm(orm, tenant, slug);
    return Response.json({ version: form.version, topic: topic.slug, definition: form.definition });
  });
}
