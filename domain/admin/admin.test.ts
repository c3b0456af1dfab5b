import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env } from '@/domain/env';
import { closeAllORMs, initORM } from '@/domain/orm';
import { agentContext, createTestTenant } from '@/temporal/testing/fixtures';
import { listAudit } from '@/domain/audit/log';
import { InputError } from '@/domain/validation';
import { adminOverview } from './overview';
import { parseCascade } from './cascade';
import { previewMessage, saveMessageTemplate } from './message-templates';
import { saveAgent } from './agents';
import { deleteAnswerTemplate, saveAnswerTemplate } from './answer-templates';
import { saveBranding } from './branding';
import { saveDepartment } from './departments';
import { saveTopic } from './topics';

let ctx: { tenantId: string; agentId: string };
const em = async () => (await initORM(env().DATABASE_URL!)).em.fork();

beforeAll(async () => {
  const tenant = await createTestTenant();
  ctx = await agentContext(tenant.slug, tenant.mail('admin'));
});
afterAll(() => closeAllORMs());

describe('administration', () => {
  it('saves departments, agents, topics, templates and branding, each with an audit entry', async () => {
    await saveDepartment(await em(), ctx, { slug: 'voirie', name: 'Voirie', email: 'voirie@mairie.test', escalation: '50:department, 100:head voirie-chef@mairie.test' });
    await saveAgent(await em(), ctx, { email: 'Nouvel.Agent@mairie.test', name: 'Nouvel Agent', roles: 'voirie:agent, voirie:validator', password: 'un-mot-de-passe-solide', active: true });
    await saveTopic(await em(), ctx, { slug: 'nids-de-poule', label: 'Nids de poule', department: 'voirie', delay: 'P10D', businessDays: true, validationRequired: true, active: true });
    await saveAnswerTemplate(await em(), ctx, { slug: 'merci', title: 'Remerciement', body: 'Merci {{citizenName}}.', department: 'voirie' });
    await saveMessageTemplate(await em(), ctx, { key: 'acknowledgement', subject: 'Bien reçu {{reference}}', body: 'Merci, {{citizenName}}.' });
    await saveBranding(await em(), ctx, { name: 'Commune test', primaryColor: '#123456', welcomeText: 'Bienvenue' });

    const overview = await adminOverview(await em(), ctx.tenantId);
    expect(overview.departments.find((d) => d.slug === 'voirie')?.escalation).toBe('50:department, 100:head voirie-chef@mairie.test');
    expect(overview.agents.find((a) => a.email === 'nouvel.agent@mairie.test')?.roles).toBe('voirie:agent, voirie:validator');
    expect(overview.topics.find((t) => t.slug === 'nids-de-poule')).toMatchObject({ delay: 'P10D', businessDays: true, validationRequired: true });
    expect(overview.messageTemplates.find((m) => m.key === 'acknowledgement')).toMatchObject({ custom: true, subject: 'Bien reçu {{reference}}' });
    expect(overview.name).toBe('Commune test');

    const actions = (await listAudit(await em(), ctx.tenantId)).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining([
      'admin.department.create', 'admin.agent.create', 'admin.topic.create', 'admin.answer_template.create', 'admin.message_template.update', 'admin.branding.update',
    ]));
    const agentEntry = (await listAudit(await em(), ctx.tenantId, { target: 'nouvel.agent@mairie.test' }))[0];
    expect(JSON.stringify(agentEntry.data)).not.toContain('un-mot-de-passe-solide');
  });

  it('updates a department, an answer and a message by their keys, with the previous values in the audit entry', async () => {
    await saveDepartment(await em(), ctx, { slug: 'urbanisme', name: 'Urbanisme', email: 'urba@mairie.test' });
    await saveDepartment(await em(), ctx, { slug: 'urbanisme', name: 'Urbanisme et travaux', escalation: '100:head' });
    await saveAnswerTemplate(await em(), ctx, { slug: 'delai', title: 'Délai', body: 'Sous huit jours.', department: 'urbanisme' });
    await saveAnswerTemplate(await em(), ctx, { slug: 'delai', title: 'Délai de réponse', body: 'Sous dix jours.' });
    await saveMessageTemplate(await em(), ctx, { key: 'answer', subject: 'Réponse', body: 'Voici : {{answer}}' });
    await saveMessageTemplate(await em(), ctx, { key: 'answer', body: 'Réponse : {{answer}}' });

    const overview = await adminOverview(await em(), ctx.tenantId);
    expect(overview.departments.filter((d) => d.slug === 'urbanisme')).toEqual([{ slug: 'urbanisme', name: 'Urbanisme et travaux', email: null, escalation: '100:head' }]);
    expect(overview.answerTemplates.filter((t) => t.slug === 'delai')).toEqual([{ slug: 'delai', title: 'Délai de réponse', body: 'Sous dix jours.', department: null }]);
    expect(overview.messageTemplates.find((m) => m.key === 'answer')).toMatchObject({ custom: true, body: 'Réponse : {{answer}}' });
    const [departmentUpdate] = await listAudit(await em(), ctx.tenantId, { target: 'urbanisme' });
    expect(departmentUpdate).toMatchObject({ action: 'admin.department.update', data: { before: { name: 'Urbanisme', email: 'urba@mairie.test', escalation: null } } });

    await deleteAnswerTemplate(await em(), ctx, 'delai');
    expect((await adminOverview(await em(), ctx.tenantId)).answerTemplates.some((t) => t.slug === 'delai')).toBe(false);
    await expect(deleteAnswerTemplate(await em(), ctx, 'delai')).rejects.toThrow('Unknown answer template delai');
    const [deletion] = await listAudit(await em(), ctx.tenantId, { target: 'delai' });
    expect(deletion).toMatchObject({ action: 'admin.answer_template.delete', data: { before: { title: 'Délai de réponse', body: 'Sous dix jours.' }, after: null } });
  });

  it('refuses bad input with French field errors and writes nothing', async () => {
    const before = (await listAudit(await em(), ctx.tenantId)).length;
    const cases: Array<[() => Promise<void>, string]> = [
      [async () => saveTopic(await em(), ctx, { slug: 'x', label: 'X', department: 'voirie', delay: '8 jours' }), '/delay'],
      [async () => saveTopic(await em(), ctx, { slug: 'x', label: 'X', department: 'inconnu', delay: 'P8D' }), '/department'],
      [async () => saveDepartment(await em(), ctx, { slug: 'v', name: 'V', escalation: '100:head, 50:department' }), '/escalation'],
      [async () => saveAgent(await em(), ctx, { email: 'sans-mdp@mairie.test', name: 'Sans' }), '/password'],
      [async () => saveAgent(await em(), ctx, { email: 'a@mairie.test', name: 'A', password: 'court' }), '/password'],
      [async () => saveAgent(await em(), ctx, { email: 'b@mairie.test', name: 'B', password: 'un-mot-de-passe-solide', roles: 'voirie:chef' }), '/roles'],
      [async () => saveBranding(await em(), ctx, { name: 'C', primaryColor: 'bleu' }), '/primaryColor'],
      [async () => saveMessageTemplate(await em(), ctx, { key: 'answer', body: '{{#if}}' }), '/body'],
    ];
    for (const [run, path] of cases) {
      const error = await run().then(() => undefined, (e) => e);
      expect(error, path).toBeInstanceOf(InputError);
      expect((error as InputError).errors.map((e) => e.path), path).toContain(path);
    }
    expect((await listAudit(await em(), ctx.tenantId)).length).toBe(before);
  });

  it('previews a message with sample values and parses cascades', () => {
    expect(previewMessage({ key: 'answer', subject: 'Réponse {{reference}}', body: 'Bonjour {{citizenName}}' })).toEqual({ subject: 'Réponse 2026-000042', body: 'Bonjour Jeanne Dupont' });
    expect(parseCascade('66:department, 150:administrators')).toEqual([{ percent: 66, recipients: ['department'] }, { percent: 150, recipients: ['administrators'] }]);
  });
});
