import 'server-only';
import { actorOf } from '@/domain/auth/roles';
import type { AgentPrincipal } from '@/domain/auth/sessions';
import { countQuarantine } from '@/domain/mail/quarantine';
import { appContext } from '@/app/_server/context';

/** The number of e-mails waiting for this agent's review, beside the navigation link; nothing when there are none. */
export async function QuarantineCount({ principal }: { principal: AgentPrincipal }) {
  const { orm } = await appContext();
  const count = await countQuarantine(orm.em.fork(), { ...actorOf(principal), tenantId: principal.tenantId });
  return count ? (
    <>
      {' '}
      <span className="badge" aria-label={`${count} en attente`}>
        {count}
      </span>
    </>
  ) : null;
}
