import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FORBIDDEN_CHARACTERS } from '@/domain/intake/text';
import type { ParsedEmail } from '@/domain/mail/parsed-email';
import { authenticateMessage, type DnsResolver } from './authentication';
import { MAX_TEXT_LENGTH, parseEmail } from './parse';
import { hostileCorpus } from './testing/hostile-corpus';

const TO = 'ville-demo@relais.localhost';
const eml = (lines: string[], body: string, encoding: BufferEncoding = 'latin1') => Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, encoding);

/** Every string a parsed message carries, however deep. */
function strings(parsed: ParsedEmail): string[] {
  const found: string[] = [];
  const visit = (value: unknown): void => {
    if (typeof value === 'string') found.push(value);
    else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object' && !(value instanceof Uint8Array) && !(value instanceof Date)) Object.values(value).forEach(visit);
  };
  visit(parsed);
  return found;
}

function expectSafe(parsed: ParsedEmail): void {
  for (const text of strings(parsed)) expect(FORBIDDEN_CHARACTERS.test(text), JSON.stringify(text.slice(0, 80))).toBe(false);
  expect(parsed.subject).not.toMatch(/[\r\n]/);
  expect(parsed.subject.length).toBeLessThanOrEqual(300);
  expect(parsed.text.length).toBeLessThanOrEqual(MAX_TEXT_LENGTH + 40);
  expect(parsed.attachments.length).toBeLessThanOrEqual(5);
  for (const file of parsed.attachments) expect(file.bytes.length).toBeLessThanOrEqual(5 * 1024 * 1024);
}

describe('parseEmail', () => {
  it('decodes encoded words and Latin-1 quoted-printable, and keeps the new part of a reply apart from its quoted history', async () => {
    const parsed = await parseEmail(
      eml(
        [
          'From: =?ISO-8859-1?Q?Andr=E9_Dupont?= <Andre.Dupont@Example.org>',
          `To: ${TO}`,
          'Subject: =?UTF-8?B?w4ljbGFpcmFnZSBwdWJsaWM=?=',
          'Message-ID: <abc@example.org>',
          'In-Reply-To: <x1@relais.localhost>',
          'References: <x0@relais.localhost> <x1@relais.localhost>',
          'Content-Type: text/plain; charset=iso-8859-1',
          'Content-Transfer-Encoding: quoted-printable',
        ],
        "La lampe de la rue de l=27=C9glise est en panne.\r\n\r\nLe jeu. 3 d=E9c. 2026 =E0 10:00, Mairie <x@y> a =E9crit :\r\n> Bonjour\r\n> ancienne\r\n",
      ),
    );
    expect(parsed).toMatchObject({
      messageId: 'abc@example.org',
      inReplyTo: 'x1@relais.localhost',
      references: ['x0@relais.localhost', 'x1@relais.localhost'],
      fromAddress: 'andre.dupont@example.org',
      fromName: 'André Dupont',
      subject: 'Éclairage public',
      replyText: "La lampe de la rue de l'Église est en panne.",
    });
    expect(parsed.text).toContain('> ancienne');
  });

  it('prefers the plain text part, and turns an HTML-only message into text without its scripts', async () => {
    const alternative = await parseEmail(
      eml(
        ['From: a@example.org', `To: ${TO}`, 'Subject: Alt', 'Content-Type: multipart/alternative; boundary="alt"'],
        '--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nVersion texte\r\n--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Version HTML</p>\r\n--alt--\r\n',
      ),
    );
    expect(alternative.text).toBe('Version texte');
    const html = await parseEmail(
      eml(['From: a@example.org', `To: ${TO}`, 'Subject: HTML', 'Content-Type: text/html; charset=utf-8'], '<p>Trottoir <b>abîmé</b></p><script>alert("x")</script><style>p{}</style><img src="x" alt="logo">', 'utf8'),
    );
    expect(html.text).toContain('Trottoir abîmé');
    expect(html.text).not.toMatch(/alert|<|logo/);
  });

  it('keeps attachments the portal accepts and lists the others with a French reason', async () => {
    const boundary = 'b';
    const part = (name: string, bytes: Buffer) =>
      `--${boundary}\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="${name}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${bytes.toString('base64')}\r\n`;
    const parsed = await parseEmail(
      eml(
        ['From: a@example.org', `To: ${TO}`, 'Subject: PJ', `Content-Type: multipart/mixed; boundary="${boundary}"`],
        `--${boundary}\r\nContent-Type: text/plain\r\n\r\nCi-joint\r\n${part('plan.pdf', Buffer.from('%PDF-1.4 test'))}${part('virus.pdf', Buffer.from('MZ\x90\x00'))}${part('gros.png', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(6 * 1024 * 1024)]))}--${boundary}--\r\n`,
      ),
    );
    expect(parsed.attachments.map((a) => [a.name, a.type])).toEqual([['plan.pdf', 'application/pdf']]);
    expect(parsed.refusedAttachments.map((a) => [a.name, a.reason])).toEqual([
      ['virus.pdf', "Le fichier « virus.pdf » n'est pas un PDF, JPEG ou PNG valide."],
      ['gros.png', 'Le fichier « gros.png » dépasse 5 Mo.'],
    ]);
  });

  it('reads a delivery status notification (RFC 3464): each recipient’s action, status and the remote server’s text', async () => {
    const parsed = await parseEmail(
      eml(
        ['From: MAILER-DAEMON@mx.example.org', 'To: rebond+x@relais.localhost', 'Subject: Undelivered Mail', 'Auto-Submitted: auto-replied', 'Content-Type: multipart/report; report-type=delivery-status; boundary="R"'],
        [
          '--R',
          'Content-Type: text/plain',
          '',
          'Your message could not be delivered.',
          '--R',
          'Content-Type: message/delivery-status',
          '',
          'Reporting-MTA: dns; mx.example.org',
          'Original-Envelope-Id: env-1',
          '',
          'Final-Recipient: rfc822; jean@example.org',
          'Action: failed',
          'Status: 5.1.1',
          'Remote-MTA: dns; mail.example.org',
          'Diagnostic-Code: smtp; 550 5.1.1 <jean@example.org>: Recipient address',
          ' rejected: User unknown',
          '',
          'Final-Recipient: rfc822; marie@example.org',
          'Action: delayed',
          'Status: 4.4.1',
          '',
          '--R',
          'Content-Type: text/rfc822-headers',
          '',
          'Message-ID: <orig@relais.localhost>',
          'Subject: Votre demande',
          '--R--',
          '',
        ].join('\r\n'),
      ),
    );
    expect(parsed.loop.autoSubmitted).toBe('auto-replied');
    expect(parsed.attachments).toEqual([]);
    expect(parsed.deliveryReport).toEqual({
      originalMessageId: 'orig@relais.localhost',
      originalEnvelopeId: 'env-1',
      statuses: [
        { action: 'failed', status: '5.1.1', finalRecipient: 'jean@example.org', diagnostic: 'smtp; 550 5.1.1 <jean@example.org>: Recipient address rejected: User unknown', remoteMta: 'mail.example.org' },
        { action: 'delayed', status: '4.4.1', finalRecipient: 'marie@example.org', diagnostic: undefined, remoteMta: undefined },
      ],
    });
  });

  it('reads every message of the hostile corpus into safe, bounded values', { timeout: 120_000 }, async () => {
    const corpus = hostileCorpus(TO);
    expect(corpus.length).toBeGreaterThanOrEqual(30);
    const unreadable: string[] = [];
    for (const { name, raw } of corpus) {
      const parsed = await parseEmail(raw).catch((error: Error) => {
        throw new Error(`${name}: ${error.message}`);
      });
      expectSafe(parsed);
      if (parsed.unreadable) unreadable.push(name);
    }
    // The structures mailparser will not read are kept as unreadable (refused with their reason), not thrown.
    expect(unreadable).toEqual(['1 MB single-line header', '1 MB single-line subject']);
  });

  it('never throws and always gives safe values, whatever the bytes', async () => {
    const header = fc.string({ maxLength: 200 }).map((s) => s.replace(/[\r\n]/g, ' '));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 4000 }).map((bytes) => Buffer.from(bytes)),
          fc.tuple(header, header, fc.string({ maxLength: 2000 }), fc.constantFrom('utf-8', 'iso-8859-1', 'x-weird', 'utf-16')).map(([from, subject, body, charset]) =>
            Buffer.from(`From: ${from}\r\nSubject: ${subject}\r\nContent-Type: text/plain; charset=${charset}\r\n\r\n${body}`, 'utf8'),
          ),
        ),
        async (raw) => {
          expectSafe(await parseEmail(raw));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('authenticateMessage', () => {
  /** DNS records for the tests: example.org publishes SPF for 127.0.0.1 only and a strict DMARC policy. */
  const resolver: DnsResolver = async (name, type) => {
    const records: Record<string, string[][]> = {
      'TXT example.org': [['v=spf1 ip4:127.0.0.1 -all']],
      'TXT _dmarc.example.org': [['v=DMARC1; p=reject']],
    };
    const found = records[`${type} ${name.toLowerCase()}`];
    if (found) return found;
    throw Object.assign(new Error(`no ${type} record for ${name}`), { code: 'ENOTFOUND' });
  };
  const raw = eml(['From: citoyen@example.org', `To: ${TO}`, 'Subject: SPF', 'Message-ID: <spf@example.org>'], 'Bonjour');

  it('passes SPF and DMARC for a sender the domain allows', async () => {
    const result = await authenticateMessage(raw, { remoteAddress: '127.0.0.1', helo: 'mail.example.org', mailFrom: 'citoyen@example.org' }, { mta: 'relais.localhost', resolver });
    expect(result).toMatchObject({ spf: 'pass', dkim: 'none', dmarc: 'pass' });
    expect(result.header).toContain('spf=pass');
  });

  it('fails DMARC for a sender the domain does not allow', async () => {
    const result = await authenticateMessage(raw, { remoteAddress: '192.0.2.7', helo: 'evil.example', mailFrom: 'citoyen@example.org' }, { mta: 'relais.localhost', resolver });
    expect(result).toMatchObject({ spf: 'fail', dmarc: 'fail' });
  });
});
