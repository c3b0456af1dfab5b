import type { FormDefinition } from './runtime/types';
import acteDeces from './definitions/acte-deces.json' with { type: 'json' };
import acteMariage from './definitions/acte-mariage.json' with { type: 'json' };
import acteNaissance from './definitions/acte-naissance.json' with { type: 'json' };
import brochureTouristique from './definitions/brochure-touristique.json' with { type: 'json' };
import centreLoisirs from './definitions/centre-loisirs.json' with { type: 'json' };
import reservationSalle from './definitions/reservation-salle.json' with { type: 'json' };
import signalement from './definitions/signalement.json' with { type: 'json' };

// Static imports, not a folder scan: the web bundle has no definitions folder at run time.
// forms/shipped.test.ts checks this list against forms/definitions/.
/** The definitions shipped with the product, as modules. */
export const SHIPPED_FORMS = [acteDeces, acteMariage, acteNaissance, brochureTouristique, centreLoisirs, reservationSalle, signalement] as unknown as FormDefinition[];
