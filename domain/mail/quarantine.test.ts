import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CitizenRequest, InboundEmail } from '@/domain/entities';
import { env } from '@/domain/env';
import { ActionRefusedError, type RequestCommands } from '@/domain/inbox/actions';
import { closeAllORMs, initORM } from '@/domain/orm';
import { actorFor, createTestTenant, fileRequest, eventually, requestRow } from '@/temporal/testing/fixtures';
import { countQuarantine, listQuarantine, reviewQuarantinedEmail, type QuarantineDeps } from './quarantine';

let orm: MikroORM;
let tenant: Awaited<ReturnType<typeof createTestTenant>>;
let tenantId: string;
let request: { id: string; reference: string; workflowId: string };

async function quarantined(requestId?: string): Promise<string> {
  const id = randomUUID();
  await orm.em.fork().insert(InboundEmail, {
    id,
    tenant: tenantId,
    source: 'smtp',
    fromAddress: 'inconnu@exemple.org',
    subject: 'Re: votre demande',
    body: 'Bonjour.',
    dedupeKey: `test:${id}`,
    outcome: 'quarantined',
    reason: 'Réponse d’une adresse inconnue',
    request: requestId,
  });
  return id;
}

/** Records the replies instead of signalling a workflow; `refuse` makes it answer as a closed request does. */
function fakeRequests(refuse = false): RequestCommands & { replies: Array<{ workflowId: string; body: string }> } {
  const replies: Array<{ workflowId: string; body: string }> = [];
  return {
    replies,
    execute: () => Promise.reject(new Error('not used')),
    currentStep: () => Promise.reject(new Error('not used')),
    async deliverCitizenReply(workflowId, reply) {
      // Let a concurrent decision reach the database while this one is "signalling".
      await new Promise((resolve) => setImmediate(resolve));
      if (refuse) throw new ActionRefusedError('Cette demande est close : elle ne peut plus être modifiée.');
      replies.push({ workflowId, body: reply.body });
    },
  };
}

const deps = (requests: RequestCommands): QuarantineDeps => ({ em: orm.em.fork(), requests, submitRequest: () => Promise.reject(new Error('not used')) });

beforeAll(async () => {
  orm = await initORM(env().DATABASE_URL!);
  tenant = await createTestTenant();
  const filed = await fileRequest(tenant.slug, { contact: { email: 'citoyenne@exemple.fr' } });
  const row = await eventually(() => requestRow(tenant.slug, filed.receipt.reference));
  const entity = await orm.em.fork().findOneOrFail(CitizenRequest, { id: row.id }, { populate: ['tenant'] });
  tenantId = entity.tenant.id;
  request = { id: row.id, reference: filed.receipt.reference, workflowId: entity.workflowId };
});

afterAll(() => closeAllORMs());

describe('reviewQuarantinedEmail', () => {
  it('delivers the reply once when two agents attach the same e-mail at the same moment', async () => {
    const id = await quarantined(request.id);
    const requests = fakeRequests();
    const viewer = { ...(await actorFor(tenant.slug, tenant.mail('admin'))), tenantId, tenantSlug: tenant.slug };
    const results = await Promise.allSettled([0, 1, 2].map(() => reviewQuarantinedEmail(deps(requests), viewer, id, 'attach', {})));
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(results.filter((r) => r.status === 'fulfilled' && !r.value.alreadyDone)).toHaveLength(1);
    expect(requests.replies).toEqual([{ workflowId: request.workflowId, body: 'Courriel de inconnu@exemple.org :\n\nBonjour.' }]);
  });

  it('gives the e-mail back to the quarantine when the request refuses the reply (closed)', async () => {
    const id = await quarantined(request.id);
    const viewer = { ...(await actorFor(tenant.slug, tenant.mail('agent'))), tenantId, tenantSlug: tenant.slug };
    await expect(reviewQuarantinedEmail(deps(fakeRequests(true)), viewer, id, 'attach', {})).rejects.toThrow('Cette demande est close');
    const row = await orm.em.fork().findOneOrFail(InboundEmail, { id });
    expect(row).toMatchObject({ outcome: 'quarantined', reviewedAt: null, reviewDecision: null });
    expect((await listQuarantine(orm.em.fork(), viewer)).map((e) => e.id)).toContain(id);
  });

  it('counts what each agent reviews: their departments’ requests, everything for an administrator, nothing for an agent without department', async () => {
    const em = orm.em.fork();
    const admin = { ...(await actorFor(tenant.slug, tenant.mail('admin'))), tenantId };
    const agent = { ...(await actorFor(tenant.slug, tenant.mail('agent'))), tenantId };
    const civil = { ...(await actorFor(tenant.slug, tenant.mail('civil'))), tenantId };
    const before = { admin: await countQuarantine(em, admin), agent: await countQuarantine(em, agent), civil: await countQuarantine(em, civil) };
    await quarantined(request.id);
    await quarantined();
    expect(await countQuarantine(em, admin)).toBe(before.admin + 2);
    expect(await countQuarantine(em, agent)).toBe(before.agent + 1);
    expect(await countQuarantine(em, civil)).toBe(before.civil);
    expect(await countQuarantine(em, { ...agent, departmentIds: [] })).toBe(0);
  });
});
