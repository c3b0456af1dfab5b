import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMailTokens } from './addresses';
import type { MailEnvelope } from './inbound-message';
import type { ParsedEmail } from './parsed-email';
import { automaticMessageReason, findFrenchMobile, foldText, keywordTopic, subjectReference, suppressesAutoResponse } from './rules';

const reference = fc.tuple(fc.integer({ min: 2000, max: 2099 }), fc.integer({ min: 1, max: 99_999_999 })).map(([year, n]) => `${year}-${String(n).padStart(6, '0')}`);
// Text around a reference that cannot itself hold "ref" followed by a reference.
const filler = fc.string({ maxLength: 40 }).map((text) => text.replace(/r/gi, 'x').replace(/\d/g, 'n'));
const envelope: MailEnvelope = { source: 'smtp', mailFrom: 'citoyen@exemple.fr', rcptTo: ['demo@relais.localhost'] };

function parsed(overrides: Partial<ParsedEmail> = {}): ParsedEmail {
  return { references: [], subject: '', text: '', replyText: '', attachments: [], refusedAttachments: [], loop: {}, size: 0, sha256: '', fromAddress: 'citoyen@exemple.fr', ...overrides };
}

/** Each letter in upper or lower case, each vowel with or without an accent. */
function variants(word: string): fc.Arbitrary<string> {
  const accents: Record<string, string[]> = { e: ['e', 'é', 'è', 'ê', 'É'], a: ['a', 'à', 'â', 'À'], i: ['i', 'î', 'ï'], o: ['o', 'ô'], u: ['u', 'ù', 'û'], c: ['c', 'ç'] };
  return fc.tuple(...[...word].map((letter) => fc.constantFrom(...(accents[letter] ?? [letter]).flatMap((v) => [v, v.toUpperCase()])))).map((letters) => letters.join(''));
}

describe('subject reference', () => {
  it('finds the reference after "Réf." whatever surrounds it, in any case or accent', () => {
    const label = fc.constantFrom('[Réf. ', 'Réf : ', 'REF ', 'réf.', 'Référence ', 'Ref n° ', 'RÉF.');
    fc.assert(
      fc.property(filler, label, reference, filler, (before, prefix, ref, after) => {
        expect(subjectReference(`${before} ${prefix}${ref}] ${after}`)).toBe(ref);
      }),
    );
  });

  it('finds nothing without "Réf", nor in a longer number', () => {
    fc.assert(fc.property(filler, reference, filler, (before, ref, after) => {
      expect(subjectReference(`${before} ${ref} ${after}`)).toBeUndefined();
    }));
    expect(subjectReference('Réf. 2026-0001234567')).toBeUndefined();
    expect(subjectReference('Préfecture 2026-000123')).toBeUndefined();
  });
});

describe('keyword rules', () => {
  const rules = [
    { keywords: ['état civil', 'acte de naissance'], topic: 'acte' },
    { keywords: ['voirie', 'nid-de-poule'], topic: 'voirie' },
  ];

  it('matches a keyword whatever its case and accents, the subject before the text', () => {
    fc.assert(
      fc.property(filler, variants('voirie'), variants('etat civil'), (noise, inSubject, inText) => {
        expect(keywordTopic(rules, `${noise} ${inSubject}`, `Bonjour, ${inText}.`)).toBe('voirie');
        expect(keywordTopic(rules, noise, `Bonjour, ${inText}.`)).toBe('acte');
      }),
    );
  });

  it('matches whole words only, and nothing without rules', () => {
    expect(keywordTopic([{ keywords: ['acte'], topic: 'acte' }], 'Je vous contacte', '')).toBeUndefined();
    expect(keywordTopic([{ keywords: ['acte'], topic: 'acte' }], 'Un acte, svp', '')).toBe('acte');
    expect(keywordTopic(undefined, 'voirie', '')).toBeUndefined();
    fc.assert(fc.property(fc.string(), fc.string(), (subject, text) => {
      expect(() => keywordTopic(rules, subject, text)).not.toThrow();
    }));
  });

  it('folds accents and case', () => {
    expect(foldText('ÉTAT Civil Ça')).toBe('etat civil ca');
  });
});

describe('automatic messages (RFC 3834)', () => {
  const tokens = createMailTokens('s'.repeat(32), 'relais.localhost');
  const own = (address: string) => tokens.isOwnAddress(address) || address === 'mairie@ville.fr';

  it('sets aside auto-submitted, list, auto-reply, daemon, null-sender and own messages', () => {
    expect(automaticMessageReason(parsed({ loop: { autoSubmitted: 'auto-replied' } }), envelope, own)).toMatch(/Auto-Submitted/);
    expect(automaticMessageReason(parsed({ loop: { autoSubmitted: 'No' } }), envelope, own)).toBeUndefined();
    expect(automaticMessageReason(parsed({ loop: { precedence: 'Bulk' } }), envelope, own)).toMatch(/Precedence/);
    expect(automaticMessageReason(parsed({ loop: { xAutoreply: 'yes' } }), envelope, own)).toMatch(/X-Autoreply/);
    expect(automaticMessageReason(parsed({ fromAddress: 'MAILER-DAEMON@mx.exemple.fr' }), envelope, own)).toMatch(/automatique/);
    expect(automaticMessageReason(parsed(), { ...envelope, mailFrom: 'postmaster@exemple.fr' }, own)).toMatch(/automatique/);
    expect(automaticMessageReason(parsed(), { ...envelope, mailFrom: null }, own)).toMatch(/vide/);
    expect(automaticMessageReason(parsed(), { ...envelope, source: 'imap', mailFrom: null }, own)).toBeUndefined();
    expect(automaticMessageReason(parsed({ fromAddress: 'ne-pas-repondre@relais.localhost' }), envelope, own)).toMatch(/boucles/);
    expect(automaticMessageReason(parsed({ fromAddress: 'mairie@ville.fr' }), envelope, own)).toMatch(/boucles/);
    expect(automaticMessageReason(parsed(), envelope, own)).toBeUndefined();
    expect(suppressesAutoResponse(parsed({ loop: { xAutoResponseSuppress: 'OOF, AutoReply' } }))).toBe(true);
    expect(suppressesAutoResponse(parsed({ loop: { xAutoResponseSuppress: 'DR, RN' } }))).toBe(false);
  });
});

describe('mobile number in a message', () => {
  it('finds a French mobile in E.164 and ignores landlines', () => {
    expect(findFrenchMobile('Bonjour,\nmon portable : 06 12 34 56 78.\nMerci')).toBe('+33612345678');
    expect(findFrenchMobile('Tél. +33 7 81 23 45 67')).toBe('+33781234567');
    expect(findFrenchMobile('Fixe : 01 23 45 67 89')).toBeUndefined();
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => {
      expect(() => findFrenchMobile(text)).not.toThrow();
    }));
  });
});
