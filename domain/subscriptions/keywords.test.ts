import { describe, expect, it } from 'vitest';
import { parseListKeyword } from './keywords';

describe('list keywords of an SMS', () => {
  it('reads ABO <LISTE>, STOP <LISTE> and STOP whatever the case, accents and spacing', () => {
    expect(parseListKeyword('ABO METEO')).toEqual({ action: 'subscribe', list: 'meteo' });
    expect(parseListKeyword('  abo   météo ')).toEqual({ action: 'subscribe', list: 'meteo' });
    expect(parseListKeyword('Abonnement infos')).toEqual({ action: 'subscribe', list: 'infos' });
    expect(parseListKeyword('ABO')).toEqual({ action: 'subscribe', list: '' });
    expect(parseListKeyword('stop meteo')).toEqual({ action: 'unsubscribe', list: 'meteo' });
    expect(parseListKeyword('Arrêt sécurité')).toEqual({ action: 'unsubscribe', list: 'securite' });
    expect(parseListKeyword('STOP')).toEqual({ action: 'stop_all' });
    expect(parseListKeyword('STOP SMS')).toEqual({ action: 'stop_all' });
    expect(parseListKeyword('STOP ça suffit maintenant')).toEqual({ action: 'stop_all' });
  });

  it('leaves other texts to requests and replies', () => {
    for (const text of ['', 'Bonjour', 'Abonnement piscine pour mon fils svp', 'Je voudrais arrêter', 'ABONDANCE de travaux rue Haute', 'TRAVAUX rue Haute']) {
      expect(parseListKeyword(text), text).toBeUndefined();
    }
  });
});
