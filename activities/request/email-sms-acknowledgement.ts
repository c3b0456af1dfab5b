import type { CitizenTemplate } from '@/domain/notifications/templates';
import type { RequestContext } from './context';

/**
 * True when a request that came by e-mail also gets its acknowledgement by SMS: the tenant asks for it
 * (settings.mail.acknowledgeBySms) and the intake found the sender's mobile number in the message.
 */
export function acknowledgesEmailBySms(request: RequestContext, template: CitizenTemplate): boolean {
  return template === 'acknowledgement' && request.channel === 'email' && request.settings.mail?.acknowledgeBySms === true && Boolean(request.citizen.phone);
}
