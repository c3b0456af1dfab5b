/** The port a payment service (PayFiP today) is reached through; connectors live in integrations/payment. */

/** PayFiP's payment page in production: the portal's forms are allowed to send the citizen there (CSP form-action). */
export const PAYFIP_PRODUCTION_PAYMENT_PAGE = 'https://www.payfip.gouv.fr/tpa/paiementws.web';

/** What the municipality asks the provider to collect. */
export interface CreatePaymentInput {
  /** The debt's reference, unique per tenant and attempt (PayFiP `refdet`: 6 to 30 letters or digits). */
  reference: string;
  /** In cents. */
  amount: number;
  /** Shown on the payment page and the bank statement (PayFiP `objet`). */
  label: string;
  /** The payer's e-mail, to which the provider sends its own ticket. */
  email: string;
  /** Where the provider posts its server-side notification. */
  notificationUrl: string;
  /** Where the citizen's browser comes back to. */
  returnUrl: string;
  /** Budget year (PayFiP `exer`); the current year when absent. */
  year?: number;
}

/** A payment created at the provider: its id and the page the citizen is sent to. */
export interface CreatedPayment {
  providerId: string;
  paymentUrl: string;
}

/** The provider's word on a payment: only `paid` counts money. */
export type PaymentOutcome = 'paid' | 'refused' | 'abandoned' | 'pending' | 'unknown';

/** The result of asking the provider, as it answered. */
export interface PaymentVerification {
  outcome: PaymentOutcome;
  providerId: string;
  /** The provider's own code (PayFiP `resultrans`, or the fault code for pending / unknown). */
  providerCode: string;
  amount?: number;
  reference?: string;
  authorisation?: string;
  /** PayFiP `dattrans` (DDMMYYYY) and `heurtrans` (HHMM), kept as sent for reconciliation. */
  transactionDate?: string;
  transactionTime?: string;
}

/** Create, verify and cancel, whatever the provider. */
export interface PaymentProvider {
  readonly name: string;
  create(input: CreatePaymentInput): Promise<CreatedPayment>;
  /** Asks the provider for the real state of a payment: never trust a notification or a browser return alone. */
  verify(providerId: string): Promise<PaymentVerification>;
  /** Gives up a payment not made yet; `false` when the provider has no such call and the payment just expires. */
  cancel(providerId: string): Promise<boolean>;
}

/** A provider call that failed for a technical reason (network, malformed answer): retry later. */
export class PaymentProviderError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PaymentProviderError';
  }
}
