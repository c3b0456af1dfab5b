import { randomInt, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { listen } from 'soap';
import { PAYFIP_FAULT, payfipWsdl } from '@/integrations/payment/payfip-wsdl';

/** Where PayFiP's SOAP service and payment page answer, on the simulator as on the real service. */
export const SERVICE_PATH = '/tpa/services/securite';
export const PAYMENT_PATH = '/tpa/paiementws.web';

/** Test card numbers: the card decides the outcome. Any other number is refused as invalid. */
export const TEST_CARDS = {
  paid: '4970100000000000',
  refused: '4970100000000002',
  /** The bank never answers: no result, the idOp stays pending (fault P5) until it expires. */
  timeout: '4970100000000009',
} as const;

/** How the simulator calls `urlnotif` after a result: at once, after a delay, twice, or never. */
export type NotificationMode = 'normal' | 'late' | 'twice' | 'never';

/** What `creerPaiementSecurise` received. */
export interface SimulatedRequest {
  exer: string;
  mel: string;
  montant: string;
  numcli: string;
  objet: string;
  refdet: string;
  saisie: string;
  urlnotif: string;
  urlredirect: string;
}

/** One idOp and what became of it. */
export interface SimulatedPayment {
  idOp: string;
  request: SimulatedRequest;
  createdAt: Date;
  /** P paid, R refused, A abandoned; undefined while nothing happened (or the bank timed out). */
  resultrans?: 'P' | 'R' | 'A';
  numauto?: string;
  dattrans?: string;
  heurtrans?: string;
}

/** A notification POST the simulator made. */
export interface SentNotification {
  idOp: string;
  url: string;
  at: Date;
  status?: number;
  error?: string;
}

/** A running simulator. */
export interface PayfipSimulator {
  port: number;
  url: string;
  serviceUrl: string;
  paymentUrl: string;
  payments: Map<string, SimulatedPayment>;
  notifications: SentNotification[];
  /** The last SOAP envelopes received, as sent over the wire (100 at most, 4 KiB each). */
  envelopes: string[];
  /** Sets how notifications go, for every client number or for one (`numcli`), so parallel tests keep theirs apart. */
  setNotificationMode(mode: NotificationMode, options?: { numcli?: string; delayMs?: number }): void;
  /** What the payment page does when the citizen submits a card or abandons. */
  settle(idOp: string, choice: { card: string } | { abandon: true }): Promise<SimulatedPayment>;
  /** Resolves when every notification scheduled so far has been sent. */
  drained(): Promise<void>;
  stop(): Promise<void>;
}

// Codes of the simulator's refusals of `creerPaiementSecurise`; P1 and P5 are those connectors rely on.
const FAULTS = {
  unknownIdOp: ['P1', 'IdOp inconnu'],
  noResult: ['P5', 'Résultat de la transaction non connu'],
  numcli: ['R3', 'Numéro client invalide'],
  montant: ['R4', 'Montant invalide'],
  refdet: ['R5', 'Référence de la dette invalide'],
  saisie: ['R6', 'Type de saisie invalide'],
  mel: ['R7', 'Adresse électronique invalide'],
  url: ['R8', 'Adresse de notification ou de redirection invalide'],
  exer: ['R9', 'Exercice invalide'],
  alreadyPaid: ['R10', 'Dette déjà payée'],
  idOp: ['R11', 'Identifiant de paiement invalide'],
} as const;

const FIELD_LIMIT = 512;

/** Starts the PayFiP simulator: SOAP service, payment page, notifications, and a loopback control API under /_control. */
export async function startPayfipSimulator(options: { port?: number; host?: string; lateDelayMs?: number; log?: (line: string) => void } = {}): Promise<PayfipSimulator> {
  const host = options.host ?? '127.0.0.1';
  const payments = new Map<string, SimulatedPayment>();
  const notifications: SentNotification[] = [];
  const modes = new Map<string, { mode: NotificationMode; delayMs: number }>();
  const defaultDelay = options.lateDelayMs ?? 2_000;
  const pending = new Set<Promise<void>>();
  const timers = new Set<NodeJS.Timeout>();
  const envelopes: string[] = [];
  let stopped = false;

  const modeFor = (numcli: string) => modes.get(numcli) ?? modes.get('*') ?? { mode: 'normal' as const, delayMs: defaultDelay };

  const post = async (payment: SimulatedPayment) => {
    const record: SentNotification = { idOp: payment.idOp, url: payment.request.urlnotif, at: new Date() };
    notifications.push(record);
    try {
      const response = await fetch(payment.request.urlnotif, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ idop: payment.idOp }).toString(),
        signal: AbortSignal.timeout(10_000),
      });
      record.status = response.status;
      await response.body?.cancel();
    } catch (error) {
      record.error = (error as Error).message;
    }
  };
  const track = (promise: Promise<void>) => {
    pending.add(promise);
    void promise.finally(() => pending.delete(promise));
  };
  const notify = (payment: SimulatedPayment) => {
    if (stopped) return;
    const { mode, delayMs } = modeFor(payment.request.numcli);
    if (mode === 'never') return;
    if (mode === 'late') {
      track(
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            timers.delete(timer);
            void post(payment).then(resolve);
          }, delayMs);
          timers.add(timer);
        }),
      );
      return;
    }
    track(mode === 'twice' ? post(payment).then(() => post(payment)) : post(payment));
  };

  const settle = async (idOp: string, choice: { card: string } | { abandon: true }): Promise<SimulatedPayment> => {
    const payment = payments.get(idOp);
    if (!payment) throw new SimulatorInputError('Paiement inconnu ou expiré.');
    if (payment.resultrans) throw new SimulatorInputError('Ce paiement est déjà terminé.');
    if ('abandon' in choice) {
      payment.resultrans = 'A';
    } else {
      const card = choice.card.replace(/\s+/g, '');
      if (card === TEST_CARDS.timeout) return payment;
      if (card === TEST_CARDS.paid) {
        payment.resultrans = 'P';
        payment.numauto = String(randomInt(100_000, 999_999));
      } else {
        payment.resultrans = 'R';
      }
    }
    const now = parisNow();
    payment.dattrans = now.date;
    payment.heurtrans = now.time;
    notify(payment);
    return payment;
  };

  const service = {
    PaiementSecuriseService: {
      PaiementSecuriseServicePort: {
        creerPaiementSecurise(args: { arg0?: Record<string, unknown> }) {
          const request = readRequest(args?.arg0 ?? {});
          for (const existing of payments.values()) {
            if (existing.request.numcli === request.numcli && existing.request.refdet === request.refdet && existing.resultrans === 'P') throw fault(FAULTS.alreadyPaid);
          }
          const idOp = randomUUID().replace(/-/g, '');
          payments.set(idOp, { idOp, request, createdAt: new Date() });
          options.log?.(`creerPaiementSecurise ${request.refdet} ${request.montant} -> ${idOp}`);
          return { return: { idOp } };
        },
        recupererDetailPaiementSecurise(args: { arg0?: { idOp?: unknown } }) {
          const idOp = args?.arg0?.idOp;
          if (typeof idOp !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(idOp)) throw fault(FAULTS.idOp);
          const payment = payments.get(idOp);
          if (!payment) throw fault(FAULTS.unknownIdOp);
          if (!payment.resultrans) throw fault(FAULTS.noResult);
          const { request } = payment;
          return {
            return: {
              dattrans: payment.dattrans,
              exer: request.exer,
              heurtrans: payment.heurtrans,
              idOp,
              mel: request.mel,
              montant: request.montant,
              numauto: payment.numauto ?? '',
              numcli: request.numcli,
              objet: request.objet,
              refdet: request.refdet,
              resultrans: payment.resultrans,
              saisie: request.saisie,
            },
          };
        },
      },
    },
  };

  const server = http.createServer((req, res) => {
    handleHttp(req, res, { payments, notifications, settle, setMode, drained }).catch((error: Error) => {
      const status = error instanceof SimulatorInputError ? 400 : 500;
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page('Erreur', `<p role="alert">${escapeHtml(error.message)}</p>`));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host}:${port}`;
  const soapServer = await new Promise<ReturnType<typeof listen>>((resolve, reject) => {
    const created = listen(server, {
      path: SERVICE_PATH,
      services: service,
      xml: payfipWsdl(`${url}${SERVICE_PATH}`),
      callback: (error: unknown) => (error ? reject(error as Error) : resolve(created)),
    });
  });
  // Unparseable envelopes are answered with a SOAP fault by the library; log them, never crash.
  soapServer.log = (type: string, data: unknown) => {
    if (type === 'received') envelopes.push(String(data).slice(0, 4_096));
    if (envelopes.length > 100) envelopes.shift();
    if (type === 'error') options.log?.(`SOAP error: ${String(data)}`);
  };

  function setMode(mode: NotificationMode, opts: { numcli?: string; delayMs?: number } = {}) {
    modes.set(opts.numcli ?? '*', { mode, delayMs: opts.delayMs ?? defaultDelay });
  }
  async function drained() {
    while (pending.size) await Promise.allSettled([...pending]);
  }

  return {
    port,
    url,
    serviceUrl: `${url}${SERVICE_PATH}`,
    paymentUrl: `${url}${PAYMENT_PATH}`,
    payments,
    notifications,
    envelopes,
    setNotificationMode: setMode,
    settle,
    drained,
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      await Promise.allSettled([...pending]);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A mistake in what a browser or a test sent to the simulator (400). */
export class SimulatorInputError extends Error {}

interface Handlers {
  payments: Map<string, SimulatedPayment>;
  notifications: SentNotification[];
  settle: PayfipSimulator['settle'];
  setMode: PayfipSimulator['setNotificationMode'];
  drained: PayfipSimulator['drained'];
}

async function handleHttp(req: http.IncomingMessage, res: http.ServerResponse, handlers: Handlers): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://payfip');
  if (url.pathname === PAYMENT_PATH && req.method === 'GET') {
    const payment = handlers.payments.get(url.searchParams.get('idop') ?? '');
    if (!payment) throw new SimulatorInputError('Paiement inconnu ou expiré.');
    html(res, 200, payment.resultrans ? resultPage(payment) : paymentPage(payment));
    return;
  }
  if (url.pathname === PAYMENT_PATH && req.method === 'POST') {
    const form = new URLSearchParams(await readBody(req));
    const idOp = form.get('idop') ?? '';
    const payment = form.get('action') === 'abandon' ? await handlers.settle(idOp, { abandon: true }) : await handlers.settle(idOp, { card: form.get('card') ?? '' });
    html(res, 200, payment.resultrans ? resultPage(payment) : timeoutPage(payment));
    return;
  }
  if (url.pathname.startsWith('/_control/')) {
    const { status, body } = await control(url, req, handlers);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
    return;
  }
  html(res, 404, page('Page introuvable', '<p>Cette page n’existe pas sur le simulateur PayFiP.</p>'));
}

/** The control API: `POST /_control/mode {mode, numcli?, delayMs?}`, `POST /_control/settle {idop, card | abandon}`, `GET /_control/payments/:idOp`, `GET /_control/notifications?idop=`. */
async function control(url: URL, req: http.IncomingMessage, handlers: Handlers): Promise<{ status: number; body: unknown }> {
  const route = `${req.method} ${url.pathname.replace(/\/[^/]+$/, '/:id')}`;
  switch (route) {
    case 'POST /_control/:id': {
      const body = parseJson(await readBody(req));
      if (url.pathname === '/_control/mode') {
        const mode = body.mode;
        if (mode !== 'normal' && mode !== 'late' && mode !== 'twice' && mode !== 'never') throw new SimulatorInputError('mode: normal, late, twice or never');
        const numcli = typeof body.numcli === 'string' ? body.numcli : undefined;
        const delayMs = typeof body.delayMs === 'number' && body.delayMs >= 0 && body.delayMs <= 600_000 ? body.delayMs : undefined;
        handlers.setMode(mode, { numcli, delayMs });
        return { status: 200, body: { mode, numcli, delayMs } };
      }
      if (url.pathname === '/_control/settle') {
        const idop = String(body.idop ?? '');
        const payment = body.abandon === true ? await handlers.settle(idop, { abandon: true }) : await handlers.settle(idop, { card: String(body.card ?? '') });
        return { status: 200, body: payment };
      }
      if (url.pathname === '/_control/drain') {
        await handlers.drained();
        return { status: 200, body: { drained: true } };
      }
      return { status: 404, body: { error: 'no such route' } };
    }
    case 'GET /_control/payments/:id': {
      const payment = handlers.payments.get(decodeURIComponent(url.pathname.split('/').pop() ?? ''));
      return payment ? { status: 200, body: payment } : { status: 404, body: { error: 'unknown idOp' } };
    }
    case 'GET /_control/:id':
      if (url.pathname === '/_control/notifications') {
        const idop = url.searchParams.get('idop');
        return { status: 200, body: handlers.notifications.filter((n) => !idop || n.idOp === idop) };
      }
      return { status: 404, body: { error: 'no such route' } };
    default:
      return { status: 404, body: { error: 'no such route' } };
  }
}

function readRequest(arg0: Record<string, unknown>): SimulatedRequest {
  const text = (name: string) => {
    const value = arg0[name];
    if (value === undefined || value === null) return '';
    if (typeof value !== 'string' && typeof value !== 'number') throw fault(FAULTS[name === 'montant' ? 'montant' : 'refdet']);
    return String(value).trim().slice(0, FIELD_LIMIT);
  };
  const request: SimulatedRequest = {
    exer: text('exer'),
    mel: text('mel'),
    montant: text('montant'),
    numcli: text('numcli'),
    objet: text('objet'),
    refdet: text('refdet'),
    saisie: text('saisie'),
    urlnotif: text('urlnotif'),
    urlredirect: text('urlredirect'),
  };
  if (!/^\d{6}$/.test(request.numcli)) throw fault(FAULTS.numcli);
  if (!/^\d{4}$/.test(request.exer)) throw fault(FAULTS.exer);
  if (!/^\d{3,7}$/.test(request.montant) || Number(request.montant) < 100) throw fault(FAULTS.montant);
  if (!/^[A-Za-z0-9]{6,30}$/.test(request.refdet)) throw fault(FAULTS.refdet);
  if (!['T', 'X', 'W'].includes(request.saisie)) throw fault(FAULTS.saisie);
  if (request.mel.length < 6 || request.mel.length > 80 || !/^[^\s@]+@[^\s@]+$/.test(request.mel)) throw fault(FAULTS.mel);
  if (!/^[A-Za-z0-9 ]{0,100}$/.test(request.objet)) throw fault(FAULTS.refdet);
  for (const address of [request.urlnotif, request.urlredirect]) {
    if (!/^https?:\/\/[^\s<>"']{1,250}$/.test(address) || !URL.canParse(address)) throw fault(FAULTS.url);
  }
  return request;
}

function fault([code, libelle]: readonly [string, string]) {
  return {
    Fault: {
      faultcode: 'soap:Server',
      faultstring: PAYFIP_FAULT,
      detail: { FonctionnelleErreur: { code, descriptif: libelle, libelle, severite: 2 } },
      statusCode: 500,
    },
  };
}

function parisNow(): { date: string; time: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date())
      .map((part) => [part.type, part.value]),
  );
  return { date: `${parts.day}${parts.month}${parts.year}`, time: `${parts.hour}${parts.minute}` };
}

function euros(cents: string): string {
  return (Number(cents) / 100).toLocaleString('fr-FR', { style: 'currency', currency: 'EUR' });
}

function paymentPage(payment: SimulatedPayment): string {
  const { request } = payment;
  return page(
    'Paiement par carte bancaire',
    `<p class="test">Simulateur PayFiP — aucun paiement réel n’est effectué.</p>
<dl>
  <dt>Objet</dt><dd>${escapeHtml(request.objet || request.refdet)}</dd>
  <dt>Référence</dt><dd>${escapeHtml(request.refdet)}</dd>
  <dt>Montant</dt><dd data-testid="montant">${escapeHtml(euros(request.montant))}</dd>
</dl>
<form method="post" action="${PAYMENT_PATH}">
  <input type="hidden" name="idop" value="${escapeHtml(payment.idOp)}">
  <p><label for="card">Numéro de carte</label><br><input id="card" name="card" inputmode="numeric" autocomplete="cc-number" required></p>
  <p><label for="expiry">Date d’expiration (MM/AA)</label><br><input id="expiry" name="expiry" autocomplete="cc-exp" value="12/30"></p>
  <p><label for="cvv">Cryptogramme visuel</label><br><input id="cvv" name="cvv" inputmode="numeric" autocomplete="cc-csc" value="123"></p>
  <p><button type="submit" name="action" value="pay">Payer ${escapeHtml(euros(request.montant))}</button>
     <button type="submit" name="action" value="abandon" formnovalidate>Abandonner le paiement</button></p>
</form>
<details><summary>Cartes de test</summary><ul>
  <li>${TEST_CARDS.paid} : paiement accepté</li>
  <li>${TEST_CARDS.refused} : paiement refusé</li>
  <li>${TEST_CARDS.timeout} : la banque ne répond pas</li>
</ul></details>`,
  );
}

function resultPage(payment: SimulatedPayment): string {
  const messages = { P: 'Votre paiement a été accepté.', R: 'Votre paiement a été refusé par votre banque.', A: 'Vous avez abandonné le paiement.' } as const;
  const text = messages[payment.resultrans ?? 'A'];
  const back = `${payment.request.urlredirect}${payment.request.urlredirect.includes('?') ? '&' : '?'}idop=${encodeURIComponent(payment.idOp)}`;
  return page(
    'Résultat du paiement',
    `<p role="status" data-resultrans="${payment.resultrans}">${text}</p>
${payment.numauto ? `<p>Numéro d’autorisation : ${escapeHtml(payment.numauto)}</p>` : ''}
<p><a href="${escapeHtml(back)}">Retourner sur le site de la commune</a></p>`,
  );
}

function timeoutPage(payment: SimulatedPayment): string {
  return page(
    'Paiement en attente',
    `<p role="status" data-resultrans="">La banque ne répond pas. Le résultat de votre paiement n’est pas encore connu.</p>
<p><a href="${escapeHtml(payment.request.urlredirect)}">Retourner sur le site de la commune</a></p>`,
  );
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>${escapeHtml(title)} — PayFiP (simulateur)</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}.test{background:#fff4cc;padding:.5rem}dt{font-weight:bold}button{margin:.25rem .5rem .25rem 0;padding:.5rem 1rem}</style>
</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

function html(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(body);
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16_384) throw new SimulatorInputError('Requête trop volumineuse.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = text ? JSON.parse(text) : {};
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new SimulatorInputError('JSON object expected');
}
