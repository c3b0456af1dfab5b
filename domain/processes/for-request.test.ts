import { describe, expect, it } from 'vitest';
import { SHIPPED_PROCESSES } from '@/processes/shipped';
import type { ProcessDefinition } from './definition';
import { personalDataRead } from './for-request';

const shipped = (slug: string) => SHIPPED_PROCESSES.find((p) => p.slug === slug)!;

describe('personal data a process workflow is given', () => {
  it('gives the form’s data only to processes whose expressions read it, and the contact only when read', () => {
    expect(personalDataRead(shipped('question'))).toEqual({ data: false, citizen: false });
    expect(personalDataRead(shipped('brochure-touristique'))).toEqual({ data: false, citizen: false });
    expect(personalDataRead(shipped('signalement'))).toEqual({ data: true, citizen: false });
    expect(personalDataRead(shipped('reservation-salle'))).toEqual({ data: true, citizen: false });
  });

  it('sees the contact read by a route rule, and a date to wait for read from the data', () => {
    const base = shipped('question');
    const routed: ProcessDefinition = {
      ...base,
      steps: base.steps.map((s) => (s.kind === 'route' ? { ...s, rules: [{ when: 'has(citizen.postalAddress)', department: 'accueil' }] } : s)),
    };
    expect(personalDataRead(routed)).toEqual({ data: false, citizen: true });
    const waiting: ProcessDefinition = {
      ...base,
      steps: [...base.steps, { id: 'attendre', label: 'Attendre', kind: 'wait', until: 'data.dateEvenement', next: 'clore' }],
    };
    expect(personalDataRead(waiting)).toEqual({ data: true, citizen: false });
  });
});
