import { completePasswordReset } from '@/domain/auth/reset';
import { publicConsoleRoute } from '@/app/console/_server/route';

/** Sets a new password from a reset link: 204; 400 for a weak password or a used / expired link. */
export const POST = publicConsoleRoute(async ({ params, em, json }) => {
  await completePasswordReset(em, params.tenant, await json());
  return new Response(null, { status: 204 });
});
