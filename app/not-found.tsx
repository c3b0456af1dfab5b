import Link from 'next/link';

/** French 404 page: an unknown municipality, page or address. */
export default function NotFound() {
  return (
    <main id="contenu" className="portal-main not-found" tabIndex={-1}>
      {/* Rendered as an element: a layout that calls notFound() leaves no metadata for this page. */}
      <title>Page introuvable — Relais</title>
      <p className="error-code">Erreur 404</p>
      <h1>Page introuvable</h1>
      <p className="lead">La page que vous cherchez n’existe pas ou n’est plus disponible.</p>
      <p>
        Si vous avez saisi l’adresse à la main, vérifiez qu’elle est correcte. Si vous avez suivi un lien reçu par courriel, utilisez plutôt la page
        de suivi de votre commune avec la référence et le code de votre demande.
      </p>
      <p>
        <Link href="/">Retrouver votre commune</Link>
      </p>
    </main>
  );
}
