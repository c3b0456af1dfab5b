import { handleRoute } from '@/app/_server/http';
import { formValidatorScripts } from '@/app/_components/forms/server';
import { NotFoundError } from '@/domain/validation';

export const dynamic = 'force-dynamic';

/**
 * The form's validator for the browser, generated on the server by ajv standalone for this exact version: the wizard
 * loads it as a script (allowed by 'strict-dynamic'), so the page needs no 'unsafe-eval', and citizens keep instant
 * French checks from the very definition the server applies, rather than a server round trip per page.
 */
export async function GET(_request: Request, { params }: { params: Promise<{ tenant: string; slug: string; version: string }> }): Promise<Response> {
  return handleRoute(async () => {
    const { tenant, slug, version } = await params;
    if (!/^[1-9]\d{0,8}$/.test(version)) throw new NotFoundError(`No form version ${version}`);
    const script = await (await formValidatorScripts())(tenant, slug, Number(version));
    return new Response(script, {
      headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=31536000, immutable' },
    });
  });
}
