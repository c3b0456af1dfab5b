import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { findTenantForm, type TenantForm } from '@/domain/intake/forms';
import { NotFoundError } from '@/domain/validation';
import { appContext } from '@/app/_server/context';
import { FormWizard } from '@/app/_components/forms/wizard';
import { visiblePages } from '@/app/_components/forms/values';
import { portalGuards, portalPaths, portalTenant } from '@/app/t/_lib/tenant';
import { submitFormStep } from './actions';
import '@/app/_components/forms/forms.css';

export const dynamic = 'force-dynamic';

async function load(tenant: string, slug: string): Promise<TenantForm> {
  const { orm } = await appContext();
  return findTenantForm(orm, tenant, slug).catch((error) => {
    if (error instanceof NotFoundError) notFound();
    throw error;
  });
}

/** The form's title names the page. */
export async function generateMetadata({ params }: { params: Promise<{ tenant: string; slug: string }> }): Promise<Metadata> {
  const { tenant, slug } = await params;
  return { title: (await load(tenant, slug)).form.definition.title };
}

/** Any smart form of the municipality, page by page then a review before sending, with or without JavaScript. */
export default async function SmartFormPage({ params }: { params: Promise<{ tenant: string; slug: string }> }) {
  const { tenant: tenantSlug, slug } = await params;
  const tenant = await portalTenant(tenantSlug);
  const { form } = await load(tenant.slug, slug);
  const definition = form.definition;
  const action = submitFormStep.bind(null, tenant.slug, slug, form.version);
  // Signed when the form is first shown: the request is refused if sent faster than a person can fill it.
  const token = portalGuards().clock.issue();
  return (
    <main id="contenu" className="portal-main" tabIndex={-1}>
      <p className="breadcrumb">
        <Link href={`/t/${tenant.slug}/formulaires`}>Démarches en ligne</Link>
      </p>
      <h1>{definition.title}</h1>
      {definition.description ? <p className="lead">{definition.description}</p> : null}
      <p className="hint">Sauf mention « facultatif », tous les champs sont obligatoires.</p>
      <FormWizard definition={definition} validatorUrl={portalPaths.formValidator(tenant.slug, slug, form.version)} action={action} initial={{ page: visiblePages(definition, {})[0] ?? 0, answers: {}, errors: [], version: form.version, seq: 0, token }} />
    </main>
  );
}
