/** An outgoing e-mail. */
export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  idempotencyKey: string;
}

/** Sends e-mail; returns the provider's message id. */
export interface EmailSender {
  send(message: OutgoingEmail): Promise<string>;
  close(): void;
}
