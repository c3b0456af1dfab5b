// Inbound e-mail parsing with mailparser: safe text, checked attachments, the headers that decide threading and loops.
import { createHash } from 'node:crypto';
import { convert } from 'html-to-text';
import EmailReplyParser from 'email-reply-parser';
import { simpleParser, type AddressObject, type Attachment, type ParsedMail } from 'mailparser';
import { checkFiles, safeFileName } from '@/domain/attachments/upload-checks';
import { withoutForbiddenCharacters } from '@/domain/intake/text';
import type { AcceptedAttachment, DeliveryStatus, LoopHeaders, ParsedEmail, RefusedAttachment } from '@/domain/mail/parsed-email';

/** Longest text kept from one message; the intake cuts it further to what a request holds. */
export const MAX_TEXT_LENGTH = 100_000;
const MAX_SUBJECT_LENGTH = 300;
/** Past this, HTML is not converted (html-to-text's time grows with it); the message keeps a French note instead. */
const MAX_HTML_LENGTH = 2 * 1024 * 1024;
const MAX_REFERENCES = 50;
const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;

/** Parses one raw message; never throws for what a sender can put in it (a broken MIME tree gives what could be read). */
export async function parseEmail(raw: Buffer): Promise<ParsedEmail> {
  const size = raw.length;
  const sha256 = createHash('sha256').update(raw).digest('hex');
  let mail: ParsedMail;
  try {
    mail = await readMime(raw);
  } catch (error) {
    // mailparser gives up on some structures (a header over its size limit): the message is kept as unreadable.
    const reason = `Message illisible : ${clean((error as Error).message).slice(0, 200)}`;
    return { references: [], subject: '', text: '', replyText: '', attachments: [], refusedAttachments: [], loop: {}, size, sha256, unreadable: reason };
  }
  return readParsed(mail, size, sha256);
}

function readMime(raw: Buffer): Promise<ParsedMail> {
  return simpleParser(raw, {
    keepDeliveryStatus: true,
    // The HTML is converted below, with Relais's own rules, only when the message has no plain text.
    skipHtmlToText: true,
    skipImageLinks: true,
    skipTextToHtml: true,
    skipTextLinks: true,
    maxHtmlLengthToParse: MAX_HTML_LENGTH,
  });
}

function readParsed(mail: ParsedMail, size: number, sha256: string): ParsedEmail {
  const from = firstAddress(mail.from);
  const text = bodyText(mail);
  const { accepted, refused } = sortAttachments(mail.attachments);
  return {
    messageId: messageIdOf(mail.messageId),
    inReplyTo: messageIdOf(mail.inReplyTo),
    references: referencesOf(mail.references),
    fromAddress: from?.address,
    fromName: from?.name,
    replyToAddress: firstAddress(mail.replyTo)?.address,
    recipients: recipientsOf([mail.to, mail.cc]),
    subject: clean(mail.subject ?? '').replace(/\s+/g, ' ').trim().slice(0, MAX_SUBJECT_LENGTH),
    text,
    replyText: replyPart(text),
    date: mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date : undefined,
    attachments: accepted,
    refusedAttachments: refused,
    loop: loopHeaders(mail),
    deliveryReport: deliveryReport(mail),
    size,
    sha256,
  };
}

/** NUL bytes, other control characters and lone surrogates replaced: PostgreSQL takes the text as it is. */
function clean(text: string): string {
  return withoutForbiddenCharacters(text);
}

function firstAddress(header: AddressObject | AddressObject[] | undefined): { address: string; name?: string } | undefined {
  const objects = Array.isArray(header) ? header : header ? [header] : [];
  // Groups nest their members; only a plain mailbox counts as the sender.
  const mailbox = objects.flatMap((object) => object.value).find((entry) => entry.address);
  const address = mailbox?.address?.trim().toLowerCase();
  if (!address || address.length > 320 || !EMAIL.test(address)) return undefined;
  const name = clean(mailbox?.name ?? '').replace(/\s+/g, ' ').trim().slice(0, 200);
  return { address, name: name || undefined };
}

function recipientsOf(headers: Array<AddressObject | AddressObject[] | undefined>): string[] {
  const objects = headers.flatMap((header) => (Array.isArray(header) ? header : header ? [header] : []));
  const addresses = objects.flatMap((object) => object.value).map((entry) => entry.address?.trim().toLowerCase() ?? '');
  return [...new Set(addresses.filter((address) => address.length <= 320 && EMAIL.test(address)))].slice(0, 50);
}

function messageIdOf(value: string | undefined): string | undefined {
  const id = value?.trim().replace(/^<|>$/g, '').trim();
  return id && id.length <= 900 && !/[\s<>]/.test(id) ? clean(id) : undefined;
}

function referencesOf(value: string | string[] | undefined): string[] {
  const list = (Array.isArray(value) ? value : value ? value.split(/\s+/) : []).flatMap((entry) => entry.split(/\s+/));
  return list.map(messageIdOf).filter((id): id is string => Boolean(id)).slice(-MAX_REFERENCES);
}

/** text/plain when the message has one, its HTML as text otherwise (scripts, styles and images dropped, links kept). */
function bodyText(mail: ParsedMail): string {
  let text = mail.text?.trim() ? mail.text : '';
  if (!text && typeof mail.html === 'string' && mail.html.trim()) {
    text =
      mail.html.length > MAX_HTML_LENGTH
        ? '(Message HTML trop volumineux pour être converti en texte.)'
        : convert(mail.html, {
            wordwrap: false,
            // Deeper nesting is cut off: converting 20,000 nested elements overflows the stack.
            limits: { maxDepth: 200, maxInputLength: MAX_HTML_LENGTH },
            selectors: [
              { selector: 'img', format: 'skip' },
              { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
            ],
          });
  }
  const normalised = clean(text).replace(/\r\n?/g, '\n').trim();
  return normalised.length > MAX_TEXT_LENGTH ? `${normalised.slice(0, MAX_TEXT_LENGTH)}\n[…] (message tronqué)` : normalised;
}

/** The new part of a reply: quoted history (`> …`, « Le … a écrit : ») and signature removed. */
function replyPart(text: string): string {
  if (!text) return '';
  try {
    const visible = new EmailReplyParser().read(text).getVisibleText().trim();
    return visible || text;
  } catch {
    // A parser failure on odd text keeps the whole text: nothing the citizen wrote is lost.
    return text;
  }
}

/** Accepted under the portal's rules (type by content, size, count); every other part listed with its reason. */
function sortAttachments(attachments: Attachment[]): { accepted: AcceptedAttachment[]; refused: RefusedAttachment[] } {
  const accepted: AcceptedAttachment[] = [];
  const refused: RefusedAttachment[] = [];
  for (const attachment of attachments) {
    // The DSN's own parts are read by deliveryReport, not kept as files.
    if (['message/delivery-status', 'text/rfc822-headers'].includes(attachment.contentType)) continue;
    // Inline images of an HTML signature are not documents the citizen sent.
    if (attachment.related) continue;
    const name = safeFileName(clean(attachment.filename ?? `piece-jointe-${accepted.length + refused.length + 1}`));
    const bytes = new Uint8Array(attachment.content);
    const errors = accepted.length >= 5 ? [{ message: 'Plus de 5 pièces jointes : les suivantes ne sont pas conservées.' }] : checkFiles([{ name, bytes }]);
    if (errors.length) refused.push({ name, type: clean(attachment.contentType).slice(0, 100), size: bytes.length, reason: errors[0].message });
    else accepted.push({ name, type: attachment.contentType, bytes });
  }
  return { accepted, refused };
}

function headerText(mail: ParsedMail, key: string): string | undefined {
  const value = mail.headers.get(key);
  if (value === undefined || value === null) return undefined;
  const text = typeof value === 'string' ? value : typeof value === 'object' && 'value' in value ? String((value as { value: unknown }).value) : String(value);
  return clean(text).trim().slice(0, 300) || undefined;
}

function loopHeaders(mail: ParsedMail): LoopHeaders {
  return {
    autoSubmitted: headerText(mail, 'auto-submitted'),
    precedence: headerText(mail, 'precedence'),
    xAutoreply: headerText(mail, 'x-autoreply') ?? headerText(mail, 'x-autorespond'),
    xAutoResponseSuppress: headerText(mail, 'x-auto-response-suppress'),
    listId: headerText(mail, 'list-id'),
    listUnsubscribe: headerText(mail, 'list-unsubscribe'),
    returnPath: firstAddress(mail.headers.get('return-path') as AddressObject | undefined)?.address,
  };
}

/** The per-recipient fields of a delivery status notification (RFC 3464), and the Message-ID of the message it is about. */
function deliveryReport(mail: ParsedMail): ParsedEmail['deliveryReport'] {
  const contentType = mail.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  const isReport = contentType?.value?.toLowerCase() === 'multipart/report' && contentType.params?.['report-type']?.toLowerCase() === 'delivery-status';
  const status = mail.attachments.find((a) => a.contentType === 'message/delivery-status');
  if (!isReport || !status) return undefined;
  // mailparser gives this part as bytes; its fields are header lines in blocks (RFC 3464 §2.1), read here.
  const [perMessage, ...perRecipient] = fieldBlocks(status.content.toString('utf8'));
  const statuses: DeliveryStatus[] = perRecipient
    .filter((fields) => fields.action && fields.status)
    .map((fields) => ({
      action: fields.action.toLowerCase(),
      status: fields.status.split(/\s/)[0],
      finalRecipient: fields['final-recipient']?.replace(/^rfc822;\s*/i, ''),
      diagnostic: fields['diagnostic-code'],
      remoteMta: fields['remote-mta']?.replace(/^dns;\s*/i, ''),
    }))
    .slice(0, 100);
  const original = mail.attachments.find((a) => a.contentType === 'text/rfc822-headers' || a.contentType === 'message/rfc822');
  const originalMessageId = original ? messageIdOf(/^message-id:\s*(<[^>\r\n]+>)/im.exec(original.content.toString('utf8').slice(0, 64 * 1024))?.[1]) : undefined;
  return { statuses, originalMessageId, originalEnvelopeId: perMessage?.['original-envelope-id'] };
}

function fieldBlocks(text: string): Array<Record<string, string>> {
  return clean(text.slice(0, 256 * 1024))
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((block) => {
      const fields: Record<string, string> = {};
      // Folded lines (starting with white space) continue the field above them.
      for (const line of block.replace(/\n[ \t]+/g, ' ').split('\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) fields[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim().slice(0, 1000);
      }
      return fields;
    })
    .filter((fields) => Object.keys(fields).length > 0);
}
