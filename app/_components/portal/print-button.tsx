'use client';

/** Prints the page (the confirmation has a print style); hidden from the printout itself. */
export function PrintButton() {
  return (
    <button type="button" className="button button-secondary" onClick={() => window.print()}>
      Imprimer ce récapitulatif
    </button>
  );
}
