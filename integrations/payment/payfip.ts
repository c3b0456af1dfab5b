import { createClientAsync, type Client } from 'soap';
import {
  PAYFIP_PRODUCTION_PAYMENT_PAGE,
  PaymentProviderError,
  type CreatePaymentInput,
  type CreatedPayment,
  type PaymentOutcome,
  type PaymentProvider,
  type PaymentVerification,
} from '@/domain/payments/provider';
import { InputError, type FieldError } from '@/domain/validation';
import { PAYFIP_FAULT, payfipWsdl } from './payfip-wsdl';

/** PayFiP's three environments and the `saisie` code each one is called with. */
export const PAYFIP_SAISIE = { test: 'T', activation: 'X', production: 'W' } as const;

/** A tenant's PayFiP account. */
export interface PayfipAccount {
  /** The municipality's client number given by the DGFiP (6 digits). */
  numcli: string;
  environment: keyof typeof PAYFIP_SAISIE;
}

/** Where PayFiP answers: the official addresses in production, the simulator in development and tests. */
export interface PayfipEndpoints {
  /** The SOAP service address. */
  serviceUrl: string;
  /** The payment page, to which `?idop=` is appended. */
  paymentUrl: string;
  timeoutMs?: number;
}

/** The DGFiP's public addresses. */
export const PAYFIP_PRODUCTION_ENDPOINTS: PayfipEndpoints = {
  serviceUrl: 'https://www.payfip.gouv.fr/tpa/services/securite',
  paymentUrl: PAYFIP_PRODUCTION_PAYMENT_PAGE,
};

/** Smallest and largest amounts PayFiP takes, in cents (1 € to 99 999,99 €). */
export const PAYFIP_AMOUNT = { min: 100, max: 9_999_999 } as const;

/** `resultrans` codes of `recupererDetailPaiementSecurise`. */
const RESULTRANS: Record<string, PaymentOutcome> = {
  P: 'paid', // card payment accepted
  V: 'paid', // direct debit accepted
  R: 'refused', // card refused
  Z: 'refused', // direct debit refused
  A: 'abandoned', // the citizen left the payment page
};

/** Fault codes of `recupererDetailPaiementSecurise` that are a state, not an error. */
const FAULT_OUTCOMES: Record<string, PaymentOutcome> = {
  P5: 'pending', // no result yet: the citizen is on the payment page, or never went (expires after 15 minutes)
  P1: 'unknown', // unknown idOp: never created, or purged the night after it expired
};

const REFDET = /^[A-Za-z0-9]{6,30}$/;
const NUMCLI = /^\d{6}$/;

/** The PayFiP connector: the DGFiP's SOAP service, called through the `soap` library from the shared WSDL. */
export class PayfipProvider implements PaymentProvider {
  readonly name = 'payfip';

  constructor(
    private readonly account: PayfipAccount,
    private readonly endpoints: PayfipEndpoints,
  ) {
    if (!NUMCLI.test(account.numcli)) throw new InputError([{ path: '/numcli', message: 'Le numéro client PayFiP compte 6 chiffres.' }]);
  }

  /** `creerPaiementSecurise`: registers the debt and returns its idOp and the payment page. */
  async create(input: CreatePaymentInput): Promise<CreatedPayment> {
    const arg0 = payfipRequest(this.account, input);
    const [result] = (await this.call('creerPaiementSecuriseAsync', { arg0 })) as [{ return?: { idOp?: string } } | null];
    const idOp = result?.return?.idOp?.trim();
    if (!idOp || !/^[A-Za-z0-9-]{1,64}$/.test(idOp)) throw new PaymentProviderError('PayFiP returned no usable idOp', 'no-idop');
    return { providerId: idOp, paymentUrl: `${this.endpoints.paymentUrl}?idop=${encodeURIComponent(idOp)}` };
  }

  /** `recupererDetailPaiementSecurise`: the only answer that counts a payment. */
  async verify(providerId: string): Promise<PaymentVerification> {
    let result: [{ return?: Record<string, string | undefined> } | null];
    try {
      result = (await this.call('recupererDetailPaiementSecuriseAsync', { arg0: { idOp: providerId } })) as typeof result;
    } catch (error) {
      const outcome = error instanceof PaymentProviderError ? FAULT_OUTCOMES[error.code] : undefined;
      if (outcome) return { outcome, providerId, providerCode: (error as PaymentProviderError).code };
      throw error;
    }
    const detail = result[0]?.return;
    if (!detail) throw new PaymentProviderError('PayFiP returned an empty payment detail', 'empty-detail');
    if (detail.idOp !== undefined && detail.idOp !== providerId) {
      throw new PaymentProviderError(`PayFiP answered for idOp ${detail.idOp} instead of ${providerId}`, 'idop-mismatch');
    }
    const code = detail.resultrans?.trim() ?? '';
    const amount = detail.montant !== undefined && /^\d{1,12}$/.test(detail.montant.trim()) ? Number(detail.montant.trim()) : undefined;
    return {
      outcome: RESULTRANS[code] ?? 'unknown',
      providerId,
      providerCode: code,
      amount,
      reference: detail.refdet?.trim() || undefined,
      authorisation: detail.numauto?.trim() || undefined,
      transactionDate: detail.dattrans?.trim() || undefined,
      transactionTime: detail.heurtrans?.trim() || undefined,
    };
  }

  /** PayFiP has no cancel call: an idOp nobody pays expires by itself after 15 minutes. */
  async cancel(): Promise<boolean> {
    return false;
  }

  private async call(method: string, args: unknown): Promise<unknown> {
    const client = await payfipClient(this.endpoints);
    try {
      return await (client[method] as (args: unknown, options: object) => Promise<unknown>)(args, { timeout: this.endpoints.timeoutMs ?? 15_000 });
    } catch (error) {
      throw toProviderError(error);
    }
  }
}

/** The `arg0` of `creerPaiementSecurise`, checked against PayFiP's formats; InputError names the field at fault. */
export function payfipRequest(account: PayfipAccount, input: CreatePaymentInput): Record<string, string> {
  const errors: FieldError[] = [];
  if (!REFDET.test(input.reference)) errors.push({ path: '/reference', message: 'La référence PayFiP compte 6 à 30 lettres ou chiffres, sans accent ni espace.' });
  if (!Number.isInteger(input.amount) || input.amount < PAYFIP_AMOUNT.min || input.amount > PAYFIP_AMOUNT.max) {
    errors.push({ path: '/amount', message: 'Le montant doit être un nombre entier de centimes, de 1 € à 99 999,99 €.' });
  }
  const email = input.email.trim();
  if (email.length < 6 || email.length > 80 || !/^[^\s@<>&"']+@[^\s@<>&"']+\.[^\s@<>&"']+$/.test(email)) {
    errors.push({ path: '/email', message: "L'adresse électronique est invalide (6 à 80 caractères)." });
  }
  for (const [field, url] of [['notificationUrl', input.notificationUrl], ['returnUrl', input.returnUrl]] as const) {
    if (!/^https?:\/\/[^\s<>"']{1,250}$/.test(url)) errors.push({ path: `/${field}`, message: 'Adresse web invalide.' });
  }
  const year = input.year ?? new Date().getFullYear();
  if (!Number.isInteger(year) || year < 2000 || year > 2100) errors.push({ path: '/year', message: 'Exercice invalide.' });
  if (errors.length) throw new InputError(errors);
  return {
    exer: String(year),
    mel: email,
    montant: String(input.amount),
    numcli: account.numcli,
    objet: payfipObject(input.label),
    refdet: input.reference,
    saisie: PAYFIP_SAISIE[account.environment],
    urlnotif: input.notificationUrl,
    urlredirect: input.returnUrl,
  };
}

/** PayFiP's `objet`: letters, digits and spaces only, 100 at most; accents are dropped, not the letters. */
export function payfipObject(label: string): string {
  return label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/['’-]/g, ' ')
    .replace(/[^A-Za-z0-9 ]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 100)
    .trim();
}

const clients = new Map<string, Promise<Client>>();

// One client per service address: the WSDL is parsed once per process.
function payfipClient(endpoints: PayfipEndpoints): Promise<Client> {
  let client = clients.get(endpoints.serviceUrl);
  if (!client) {
    client = createClientAsync(payfipWsdl(endpoints.serviceUrl), { disableCache: true }, endpoints.serviceUrl);
    client.catch(() => clients.delete(endpoints.serviceUrl));
    clients.set(endpoints.serviceUrl, client);
  }
  return client;
}

/** A SOAP fault with PayFiP's business error keeps its code (P1, P5, R3…); anything else is a technical error. */
function toProviderError(error: unknown): PaymentProviderError {
  const fault = (error as { root?: { Envelope?: { Body?: { Fault?: { faultstring?: string; detail?: Record<string, unknown> } } } } }).root?.Envelope?.Body?.Fault;
  if (fault) {
    const detail = (fault.detail?.FonctionnelleErreur ?? {}) as { code?: string; libelle?: string; descriptif?: string };
    const code = typeof detail.code === 'string' && fault.faultstring === PAYFIP_FAULT ? detail.code : 'soap-fault';
    return new PaymentProviderError(`PayFiP fault ${code}: ${detail.descriptif ?? detail.libelle ?? fault.faultstring ?? ''}`, code, { cause: error });
  }
  return new PaymentProviderError(`PayFiP unreachable or malformed answer: ${(error as Error).message}`, 'transport', { cause: error });
}
