import { env } from '@/domain/env';
import { requestPasswordReset } from '@/domain/auth/reset';
import { publicConsoleRoute } from '@/app/console/_server/route';
import { consoleMailer } from '@/app/console/_server/services';

/** Sends a reset link when the address is an agent's; always 202 so addresses cannot be probed. */
export const POST = publicConsoleRoute(async ({ params, em, json }) => {
  await requestPasswordReset(em, params.tenant, await json(), { publicUrl: env().PUBLIC_URL, send: (m) => consoleMailer().send(m) });
  return Response.json({ message: 'Si cette adresse correspond à un compte, un lien de réinitialisation vient de lui être envoyé.' }, { status: 202 });
});
