// Malformed and hostile e-mails: each must be imported cleanly, quarantined or refused with a reason, never crash.
import zlib from 'node:zlib';

/** One message of the corpus. `from` and `to` are the SMTP envelope the tests send it with. */
export interface HostileMessage {
  name: string;
  raw: Buffer;
}

const CRLF = '\r\n';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

/** A message from the usual headers plus `headers`, with `body` as given (a string is sent as is). */
function message(to: string, headers: string[], body: string | Buffer, options: { from?: string | null } = {}): Buffer {
  const from = options.from === undefined ? 'Citoyen <citoyen@example.org>' : options.from;
  const head = [
    ...(from === null ? [] : [`From: ${from}`]),
    `To: ${to}`,
    `Message-ID: <${Math.random().toString(36).slice(2)}.${Date.now()}@example.org>`,
    'Date: Sat, 05 Dec 2026 10:00:00 +0100',
    'MIME-Version: 1.0',
    ...headers,
  ].join(CRLF);
  // Raw UTF-8 in headers, as RFC 6532 allows and many mailers send; raw Latin-1 has a case of its own below.
  return Buffer.concat([Buffer.from(head + CRLF + CRLF, 'utf8'), Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8')]);
}

function base64Lines(bytes: Buffer): string {
  return bytes.toString('base64').replace(/.{76}/g, `$&${CRLF}`);
}

function withAttachments(to: string, parts: Array<{ name: string; type: string; bytes: Buffer }>, text = 'Voici les pièces.'): Buffer {
  const boundary = 'relais-corpus-boundary';
  const body = [
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    text,
    ...parts.flatMap((part) => [
      `--${boundary}`,
      `Content-Type: ${part.type}; name="${part.name}"`,
      'Content-Transfer-Encoding: base64',
      `Content-Disposition: attachment; filename="${part.name}"`,
      '',
      base64Lines(part.bytes),
    ]),
    `--${boundary}--`,
    '',
  ].join(CRLF);
  return message(to, ['Subject: Pièces jointes', `Content-Type: multipart/mixed; boundary="${boundary}"`], body);
}

/** A stored (uncompressed) zip of `count` tiny entries; the corpus only needs its shape, not a library's. */
function zipWithEntries(count: number): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (let i = 0; i < count; i += 1) {
    const name = Buffer.from(`f${i}.txt`);
    const data = Buffer.from('x');
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(10, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(1, 18);
    local.writeUInt32LE(1, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(10, 4);
    central.writeUInt16LE(10, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(1, 20);
    central.writeUInt32LE(1, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += 30 + name.length + 1;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

function nested(depth: number): string {
  let body = `Content-Type: text/plain; charset=utf-8${CRLF}${CRLF}Au fond de ${depth} niveaux.${CRLF}`;
  for (let level = depth; level > 0; level -= 1) {
    body = `Content-Type: multipart/mixed; boundary="b${level}"${CRLF}${CRLF}--b${level}${CRLF}${body}--b${level}--${CRLF}`;
  }
  return body;
}

/** The corpus, addressed to `to` (a tenant's inbound address); at least 30 messages. */
export function hostileCorpus(to: string): HostileMessage[] {
  const plain = ['Content-Type: text/plain; charset=utf-8'];
  const corpus: Array<[string, Buffer]> = [
    ['no From header', message(to, ['Subject: Sans expéditeur', ...plain], 'Bonjour', { from: null })],
    ['From is not an address', message(to, ['Subject: Expéditeur invalide', ...plain], 'Bonjour', { from: 'pas une adresse' })],
    ['From is an empty group', message(to, ['Subject: Groupe', ...plain], 'Bonjour', { from: 'undisclosed-recipients:;' })],
    ['two From headers', message(to, ['From: Autre <autre@example.net>', 'Subject: Deux expéditeurs', ...plain], 'Bonjour')],
    ['unknown charset', message(to, ['Subject: Charset inconnu', 'Content-Type: text/plain; charset=x-unknown-42'], 'R\xe9paration')],
    ['invalid UTF-8 bytes', message(to, ['Subject: UTF-8 invalide', ...plain], Buffer.from([0x52, 0xc3, 0x28, 0xa0, 0xa1, 0xff, 0xfe, 0x0a]))],
    ['ISO-2022-JP body', message(to, ['Subject: =?ISO-2022-JP?B?GyRCJEgkJCQmGyhC?=', 'Content-Type: text/plain; charset=ISO-2022-JP'], Buffer.from('\x1b$B$3$s$K$A$O\x1b(B', 'latin1'))],
    ['UTF-16 body with an odd byte count', message(to, ['Subject: UTF-16', 'Content-Type: text/plain; charset=utf-16'], Buffer.from([0xff, 0xfe, 0x41, 0x00, 0x42]))],
    ['encoded word with a bogus charset', message(to, ['Subject: =?x-bogus?Q?abc?=', ...plain], 'Bonjour')],
    ['broken base64 encoded word', message(to, ['Subject: =?UTF-8?B?!!!***?=', ...plain], 'Bonjour')],
    ['lone surrogate in an encoded word', message(to, ['Subject: =?UTF-8?B?7aCA?= surrogate', ...plain], 'Bonjour \u{1F600}')],
    ['NUL bytes in the body', message(to, ['Subject: Octets nuls', ...plain], 'Bon\u0000jour\u0000\u0000')],
    ['NUL bytes in the subject', message(to, ['Subject: Sujet\u0000nul', ...plain], 'Bonjour')],
    ['header injection through an encoded newline', message(to, ['Subject: =?UTF-8?Q?Objet=0D=0ABcc:_victime@example.com?=', ...plain], 'Bonjour')],
    ['1 MB single-line header', message(to, ['Subject: Long', `X-Long: ${'a'.repeat(1024 * 1024)}`, ...plain], 'Bonjour')],
    ['1 MB single-line subject', message(to, [`Subject: ${'s'.repeat(1024 * 1024)}`, ...plain], 'Bonjour')],
    ['multipart nested 60 levels deep', message(to, ['Subject: Imbriqué', `Content-Type: multipart/mixed; boundary="b0"`], `--b0${CRLF}${nested(60)}--b0--${CRLF}`)],
    ['multipart without a boundary', message(to, ['Subject: Sans frontière', 'Content-Type: multipart/mixed'], 'Bonjour\r\n--x\r\n')],
    ['multipart never closed', message(to, ['Subject: Non fermé', 'Content-Type: multipart/mixed; boundary="open"'], `--open${CRLF}Content-Type: text/plain${CRLF}${CRLF}Bonjour${CRLF}`)],
    ['garbage base64 body', message(to, ['Subject: Base64', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64'], '@@@###***\r\n====\r\n')],
    ['broken quoted-printable', message(to, ['Subject: QP', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable'], 'Caf=C3=\r\n=ZZ=\r\n=')],
    ['HTML only, with scripts, styles and an iframe', message(to, ['Subject: HTML', 'Content-Type: text/html; charset=utf-8'], '<html><head><style>p{color:red}</style><script>alert(1)</script></head><body><p onclick="x()">Trottoir abîmé</p><iframe src="https://evil.example"></iframe><img src=x onerror=alert(2)></body></html>')],
    ['HTML with 20,000 nested elements', message(to, ['Subject: HTML profond', 'Content-Type: text/html; charset=utf-8'], `${'<div>'.repeat(20000)}fond${'</div>'.repeat(20000)}`)],
    ['20 MB attachment', withAttachments(to, [{ name: 'plan.pdf', type: 'application/pdf', bytes: Buffer.concat([PDF, Buffer.alloc(20 * 1024 * 1024, 0x20)]) }])],
    ['zip with 10,000 entries', withAttachments(to, [{ name: 'archive.zip', type: 'application/zip', bytes: zipWithEntries(10_000) }])],
    ['executable named .pdf', withAttachments(to, [{ name: 'facture.pdf', type: 'application/pdf', bytes: Buffer.concat([Buffer.from('MZ\x90\x00'), Buffer.alloc(512)]) }])],
    ['forty attachments', withAttachments(to, Array.from({ length: 40 }, (_, i) => ({ name: `page-${i}.pdf`, type: 'application/pdf', bytes: PDF })))],
    ['path traversal and control characters in a file name', withAttachments(to, [{ name: '../../etc/\u202Egnp.pdf', type: 'application/pdf', bytes: PDF }])],
    ['2,000-character Message-ID', message(to, [`Message-ID: <${'m'.repeat(2000)}@example.org>`, 'Subject: Identifiant long', ...plain], 'Bonjour')],
    ['10,000 references', message(to, [`References: ${Array.from({ length: 10_000 }, (_, i) => `<r${i}@example.org>`).join(' ')}`, 'Subject: Références', ...plain], 'Bonjour')],
    ['invalid Date', message(to, ['Date: le jour où', 'Subject: Date', ...plain], 'Bonjour')],
    ['headers only, no body', Buffer.from(`From: citoyen@example.org${CRLF}To: ${to}${CRLF}Subject: Vide${CRLF}`)],
    ['white space only body', message(to, ['Subject: Blanc', ...plain], ' \r\n\t\r\n ')],
    ['bare LF and bare CR line ends', Buffer.from(`From: citoyen@example.org\nTo: ${to}\rSubject: Fins de ligne\n\nBonjour\rà vous\n`)],
    ['raw 8-bit Latin-1 headers', Buffer.concat([Buffer.from(`From: Ren\xe9 <rene@example.org>\r\nTo: ${to}\r\nSubject: Probl\xe8me \xe9lectrique\r\n\r\n`, 'latin1'), Buffer.from('Bonjour')])],
    ['a thousand recipients', message(to, [`Cc: ${Array.from({ length: 1000 }, (_, i) => `p${i}@example.org`).join(', ')}`, 'Subject: Tout le monde', ...plain], 'Bonjour')],
    ['forwarded message inside a message', message(to, ['Subject: Transfert', 'Content-Type: multipart/mixed; boundary="fw"'], `--fw${CRLF}Content-Type: text/plain${CRLF}${CRLF}Voir ci-dessous${CRLF}--fw${CRLF}Content-Type: message/rfc822${CRLF}${CRLF}From: x@example.com${CRLF}Subject: interne${CRLF}Content-Type: multipart/mixed; boundary="in"${CRLF}${CRLF}--in${CRLF}Content-Type: text/html${CRLF}${CRLF}<script>x</script>${CRLF}--in--${CRLF}--fw--${CRLF}`)],
    ['report without its delivery-status part', message(to, ['Subject: Rapport', 'Content-Type: multipart/report; report-type=delivery-status; boundary="r"'], `--r${CRLF}Content-Type: text/plain${CRLF}${CRLF}Rien${CRLF}--r--${CRLF}`)],
  ];
  return corpus.map(([name, raw]) => ({ name, raw }));
}
