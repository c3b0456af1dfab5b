import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { formatEuros, formatNumber } from '@/domain/format/french';
import { findProductOffer } from '@/domain/payments/catalogue';
import type { FieldError } from '@/domain/validation';
import { appContext } from '@/app/_server/context';
import { ErrorSummary } from '@/app/_components/portal/error-summary';
import { bracketLabel, priceText, purchasePaths, readDraft } from '@/app/t/_lib/purchase';
import { portalTenant } from '@/app/t/_lib/tenant';
import { reviewPurchase } from '../actions';
import { fieldErrorMarks, groupErrors } from '@/app/_components/portal/field-errors';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Commander' };

const FIELD_IDS: Record<string, string> = {
  '/quantity': 'champ-quantite',
  '/contact': 'champ-courriel',
  '/contact/email': 'champ-courriel',
  '/contact/name': 'champ-nom',
  '/contact/phone': 'champ-telephone',
};

function fieldIdFor(path: string): string | undefined {
  return FIELD_IDS[path] ?? (path.startsWith('/data/') ? 'champ-tranche' : undefined);
}

/** The purchase form: quantity, the value that sets the tariff when the product has brackets, and the buyer's contact. */
export default async function PurchaseFormPage({ params }: { params: Promise<{ tenant: string; produit: string }> }) {
  const { tenant: slug, produit } = await params;
  const tenant = await portalTenant(slug);
  const { orm } = await appContext();
  const offer = await findProductOffer(orm.em.fork(), tenant.slug, produit);
  if (!offer) notFound();
  const draft = await readDraft(offer.slug);
  const errors: FieldError[] = draft?.errors ?? [];
  const byField = groupErrors(errors, fieldIdFor);
  const { invalid, describedBy, fieldErrors } = fieldErrorMarks(byField);
  const limits = [offer.stock, offer.maxPerCitizen, 1000].filter((n): n is number => typeof n === 'number' && n > 0);
  const maxQuantity = Math.min(...limits);
  const { pricing } = offer;

  return (
    <main id="contenu" className="portal-main" tabIndex={-1}>
      <p>
        <Link href={purchasePaths.catalogue(tenant.slug)}>← Retour au catalogue</Link>
      </p>
      <h1>{offer.label}</h1>
      {offer.description ? <p className="lead">{offer.description}</p> : null}
      <p>
        Prix : <strong>{priceText(offer)}</strong>
        {offer.stock !== undefined ? <> — {offer.stock > 0 ? `${offer.stock === 1 ? 'place restante' : 'places restantes'} : ${formatNumber(offer.stock)}` : 'complet'}</> : null}
        {offer.maxPerCitizen ? <> — {formatNumber(offer.maxPerCitizen)} au plus par personne</> : null}
      </p>
      {!offer.available ? (
        <div className="notice notice-error" role="alert">
          <p>{offer.stock === 0 ? 'Ce produit est complet.' : 'Ce produit n’est pas en vente en ce moment.'}</p>
        </div>
      ) : (
        <form className="portal-form" action={reviewPurchase.bind(null, tenant.slug, offer.slug)} noValidate>
          <ErrorSummary errors={errors.map((e) => ({ message: e.message, href: fieldIdFor(e.path) ? `#${fieldIdFor(e.path)}` : undefined }))} />
          <p className="hint">Tous les champs sont obligatoires sauf mention « facultatif ».</p>
          <fieldset>
            <legend>Votre commande</legend>
            {pricing.kind === 'fixed' ? (
              <p>Quantité : 1 (montant forfaitaire de {formatEuros(pricing.amount)})</p>
            ) : (
              <div className={`field${invalid('champ-quantite') ? ' field-invalid' : ''}`}>
                <label htmlFor="champ-quantite">Quantité</label>
                <p className="hint" id="champ-quantite-aide">
                  Entre 1 et {formatNumber(maxQuantity)}.
                </p>
                {fieldErrors('champ-quantite')}
                <input
                  id="champ-quantite"
                  name="quantite"
                  type="number"
                  inputMode="numeric"
                  min={1}
                  max={maxQuantity}
                  defaultValue={draft?.quantity ?? '1'}
                  required
                  aria-invalid={invalid('champ-quantite')}
                  aria-describedby={describedBy('champ-quantite', 'champ-quantite-aide')}
                />
              </div>
            )}
            {pricing.kind === 'bracket' ? (
              <div className={`field${invalid('champ-tranche') ? ' field-invalid' : ''}`}>
                <label htmlFor="champ-tranche">{bracketLabel(pricing.field)}</label>
                <div className="hint" id="champ-tranche-aide">
                  <p>Il détermine votre tarif :</p>
                  <ul>
                    {pricing.brackets.map((bracket, index) => (
                      <li key={index}>
                        {bracket.label ?? (bracket.upTo !== undefined ? `Jusqu’à ${formatNumber(bracket.upTo)}` : 'Au-delà')} : {formatEuros(bracket.unitPrice)} l’unité
                      </li>
                    ))}
                  </ul>
                </div>
                {fieldErrors('champ-tranche')}
                <input
                  id="champ-tranche"
                  name="tranche"
                  type="text"
                  inputMode="numeric"
                  defaultValue={draft?.bracketValue ?? ''}
                  required
                  maxLength={7}
                  aria-invalid={invalid('champ-tranche')}
                  aria-describedby={describedBy('champ-tranche', 'champ-tranche-aide')}
                />
              </div>
            ) : null}
          </fieldset>
          <fieldset>
            <legend>Vos coordonnées</legend>
            <div className={`field${invalid('champ-nom') ? ' field-invalid' : ''}`}>
              <label htmlFor="champ-nom">Nom et prénom (facultatif)</label>
              {fieldErrors('champ-nom')}
              <input id="champ-nom" name="nom" type="text" autoComplete="name" defaultValue={draft?.name ?? ''} maxLength={200} aria-invalid={invalid('champ-nom')} aria-describedby={describedBy('champ-nom')} />
            </div>
            <div className={`field${invalid('champ-courriel') ? ' field-invalid' : ''}`}>
              <label htmlFor="champ-courriel">Adresse électronique</label>
              <p className="hint" id="champ-courriel-aide">
                Le ticket de paiement et le suivi de votre commande y sont envoyés.
              </p>
              {fieldErrors('champ-courriel')}
              <input
                id="champ-courriel"
                name="email"
                type="email"
                autoComplete="email"
                defaultValue={draft?.email ?? ''}
                required
                maxLength={320}
                aria-invalid={invalid('champ-courriel')}
                aria-describedby={describedBy('champ-courriel', 'champ-courriel-aide')}
              />
            </div>
            <div className={`field${invalid('champ-telephone') ? ' field-invalid' : ''}`}>
              <label htmlFor="champ-telephone">Numéro de mobile (facultatif)</label>
              {fieldErrors('champ-telephone')}
              <input id="champ-telephone" name="telephone" type="tel" autoComplete="tel" defaultValue={draft?.phone ?? ''} maxLength={40} aria-invalid={invalid('champ-telephone')} aria-describedby={describedBy('champ-telephone')} />
            </div>
          </fieldset>
          <div className="honeypot" aria-hidden="true">
            <label htmlFor="site">Ne pas remplir</label>
            <input id="site" name="site" tabIndex={-1} autoComplete="off" />
          </div>
          <button type="submit" className="button">
            Voir le récapitulatif
          </button>
        </form>
      )}
    </main>
  );
}
