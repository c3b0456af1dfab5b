// An inbound e-mail as the parser hands it to the mail intake: text made safe, attachments checked, headers that matter.

/** An attachment the portal's rules accept (type by content, size), ready to store. */
export interface AcceptedAttachment {
  name: string;
  type: string;
  bytes: Uint8Array;
}

/** An attachment left out, with the reason shown on the case (in French). */
export interface RefusedAttachment {
  name: string;
  type: string;
  size: number;
  reason: string;
}

/** One recipient's fate in a delivery status notification (RFC 3464). */
export interface DeliveryStatus {
  /** `failed`, `delayed`, `delivered`, `relayed` or `expanded`. */
  action: string;
  /** The status code, e.g. `5.1.1`. */
  status: string;
  finalRecipient?: string;
  /** The remote server's text (Diagnostic-Code), e.g. `smtp; 550 5.1.1 <x@y>: Recipient address rejected`. */
  diagnostic?: string;
  remoteMta?: string;
}

/** The headers that decide whether a message may be answered (RFC 3834) and how it threads. */
export interface LoopHeaders {
  autoSubmitted?: string;
  precedence?: string;
  xAutoreply?: string;
  xAutoResponseSuppress?: string;
  listId?: string;
  listUnsubscribe?: string;
  returnPath?: string;
}

/** SPF, DKIM and DMARC results as mailauth gave them. */
export interface MailAuthentication {
  spf: string;
  dkim: string;
  dmarc: string;
  /** The Authentication-Results header mailauth wrote, kept on the case. */
  header?: string;
}

/** An inbound e-mail, parsed. Every string is free of NUL bytes and lone surrogates (PostgreSQL would refuse them). */
export interface ParsedEmail {
  /** Without angle brackets. */
  messageId?: string;
  inReplyTo?: string;
  /** Oldest first, without angle brackets. */
  references: string[];
  /** The From address, lower-cased, when it is a valid address; undefined otherwise (no From, a group, garbage). */
  fromAddress?: string;
  fromName?: string;
  replyToAddress?: string;
  /** The To and Cc addresses, lower-cased (a reply address found there when the message came by forwarding). */
  recipients?: string[];
  /** Decoded (encoded words), one line, at most 300 characters; '' when absent. */
  subject: string;
  /** The whole text: text/plain when there is one, the HTML turned into text otherwise. */
  text: string;
  /** The text without quoted history and signature, as a reply keeps it. */
  replyText: string;
  date?: Date;
  attachments: AcceptedAttachment[];
  refusedAttachments: RefusedAttachment[];
  loop: LoopHeaders;
  /** Present when the message is a delivery status notification (multipart/report; report-type=delivery-status). */
  deliveryReport?: { statuses: DeliveryStatus[]; originalMessageId?: string; originalEnvelopeId?: string };
  /** SPF, DKIM and DMARC, checked on the raw message with the SMTP session's facts; absent when not checked (IMAP). */
  authentication?: MailAuthentication;
  /**
   * Set when the MIME structure could not be read at all (e.g. a header past the parser's limit): every other field is
   * then empty, and the intake refuses the message with this French reason.
   */
  unreadable?: string;
  /** The raw message's size in bytes and its SHA-256, for the dedupe key of a message without Message-ID. */
  size: number;
  sha256: string;
}
