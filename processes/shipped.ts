import type { ProcessDefinition } from '@/domain/processes/definition';
import achat from './achat.json' with { type: 'json' };
import acteEtatCivil from './acte-etat-civil.json' with { type: 'json' };
import brochureTouristique from './brochure-touristique.json' with { type: 'json' };
import centreLoisirs from './centre-loisirs.json' with { type: 'json' };
import question from './question.json' with { type: 'json' };
import reservationSalle from './reservation-salle.json' with { type: 'json' };
import signalement from './signalement.json' with { type: 'json' };

// Static imports, not a folder scan: the web bundle has no processes folder at run time.
// processes/shipped.test.ts checks this list against the folder and each file against ProcessDefinition.
/** The process definitions shipped with the product. */
export const SHIPPED_PROCESSES: readonly ProcessDefinition[] = [
  achat,
  acteEtatCivil,
  brochureTouristique,
  centreLoisirs,
  question,
  reservationSalle,
  signalement,
] as ProcessDefinition[];
