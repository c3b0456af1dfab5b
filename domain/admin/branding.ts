import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Tenant } from '@/domain/entities';
import { compileValidator } from '@/domain/validation';
import { auditAdminChange, type AdminContext } from './context';
import { label } from './fields';

const validateBranding = compileValidator<{ name: string; primaryColor: string; accentColor?: string; logoUrl?: string; welcomeText?: string; websiteUrl?: string }>({
  type: 'object',
  additionalProperties: false,
  properties: {
    name: label(200, 'Saisissez le nom de la commune.'),
    primaryColor: { type: 'string', default: '', pattern: '^#[0-9a-fA-F]{6}$', errorMessage: 'Couleur au format #RRVVBB.' },
    accentColor: { type: 'string', pattern: '^(#[0-9a-fA-F]{6})?$', errorMessage: 'Couleur au format #RRVVBB.' },
    logoUrl: { type: 'string', maxLength: 500, anyOf: [{ format: 'uri', pattern: '^https?://' }, { maxLength: 0 }], errorMessage: 'Adresse du logo invalide (https://…).' },
    welcomeText: { type: 'string', maxLength: 2000, errorMessage: 'Le texte d’accueil ne doit pas dépasser 2 000 caractères.' },
    websiteUrl: { type: 'string', maxLength: 500, anyOf: [{ format: 'uri', pattern: '^https?://' }, { maxLength: 0 }], errorMessage: 'Adresse du site invalide (https://…).' },
  },
});

/** Saves the municipality's name, colours, logo and portal texts. */
export async function saveBranding(em: EntityManager, ctx: AdminContext, body: unknown): Promise<void> {
  const input = validateBranding(body);
  await em.transactional(async (tx) => {
    const tenant = await tx.findOneOrFail(Tenant, ctx.tenantId, { refresh: true });
    const before = { name: tenant.name, branding: tenant.branding };
    const branding = { ...before.branding, primaryColor: input.primaryColor, accentColor: input.accentColor || undefined, logoUrl: input.logoUrl || undefined, welcomeText: input.welcomeText || undefined, websiteUrl: input.websiteUrl || undefined };
    await tx.nativeUpdate(Tenant, { id: ctx.tenantId }, { name: input.name.trim(), branding, updatedAt: raw('now()') });
    await auditAdminChange(tx, ctx, 'admin.branding.update', 'branding', before, { name: input.name, branding });
  });
}
