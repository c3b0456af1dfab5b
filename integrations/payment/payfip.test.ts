import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPayfipSimulator, TEST_CARDS, type PayfipSimulator } from '@/dev/payfip-simulator/simulator';
import { InputError } from '@/domain/validation';
import { PaymentProviderError, type CreatePaymentInput } from '@/domain/payments/provider';
import { PayfipProvider, payfipObject, payfipRequest } from './payfip';
import { PAYFIP_SERVICE_NS } from './payfip-wsdl';

let simulator: PayfipSimulator;
let receiver: http.Server;
let notifyUrl: string;
const received: string[] = [];

beforeAll(async () => {
  simulator = await startPayfipSimulator({ lateDelayMs: 100 });
  // Stands for Relais's notification route: records the form body PayFiP posts.
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push(body);
      res.writeHead(200).end('OK');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  notifyUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/notification`;
});

afterAll(async () => {
  await simulator?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

let counter = 0;
function input(overrides: Partial<CreatePaymentInput> = {}): CreatePaymentInput {
  counter += 1;
  return {
    reference: `REF${Date.now()}${counter}`,
    amount: 2_400,
    label: 'Deux places « Le Cid »',
    email: 'jeanne@exemple.fr',
    notificationUrl: notifyUrl,
    returnUrl: 'http://relais.test/t/demo/paiement/retour',
    ...overrides,
  };
}

function provider(numcli = '123456') {
  return new PayfipProvider({ numcli, environment: 'test' }, { serviceUrl: simulator.serviceUrl, paymentUrl: simulator.paymentUrl });
}

describe('PayFiP connector against the simulator', () => {
  it('creates a payment, is pending until paid, then verifies paid with amount, refdet and authorisation', async () => {
    const payfip = provider();
    const request = input();
    const created = await payfip.create(request);
    expect(created.paymentUrl).toBe(`${simulator.paymentUrl}?idop=${created.providerId}`);
    expect(simulator.payments.get(created.providerId)?.request).toMatchObject({
      numcli: '123456',
      saisie: 'T',
      montant: '2400',
      refdet: request.reference,
      objet: 'Deux places Le Cid',
      exer: String(new Date().getFullYear()),
    });
    expect(await payfip.verify(created.providerId)).toEqual({ outcome: 'pending', providerId: created.providerId, providerCode: 'P5' });

    await simulator.settle(created.providerId, { card: TEST_CARDS.paid });
    const verified = await payfip.verify(created.providerId);
    expect(verified).toMatchObject({ outcome: 'paid', providerCode: 'P', amount: 2_400, reference: request.reference });
    expect(verified.authorisation).toMatch(/^\d{6}$/);
    expect(verified.transactionDate).toMatch(/^\d{8}$/);
    expect(verified.transactionTime).toMatch(/^\d{4}$/);
    await simulator.drained();
    expect(received).toContain(`idop=${created.providerId}`);
  });

  it('sends the envelope PayFiP expects: the operation in the service namespace wrapping an unqualified arg0', async () => {
    const payfip = provider();
    const before = simulator.envelopes.length;
    await payfip.create(input());
    const sent = simulator.envelopes.slice(before);
    expect(sent).toHaveLength(1);
    const envelope = sent[0];
    const prefix = new RegExp(`xmlns:(\\w+)="${PAYFIP_SERVICE_NS}"`).exec(envelope)?.[1];
    expect(prefix).toBeDefined();
    expect(envelope).toContain(`<${prefix}:creerPaiementSecurise><arg0><exer>`);
    expect(envelope).toMatch(/<arg0>\s*<exer>\d{4}<\/exer>/);
    expect(envelope).toContain('<montant>2400</montant>');
  });

  it('verifies a refused card and an abandon, and never counts them', async () => {
    const payfip = provider();
    const refused = await payfip.create(input());
    await simulator.settle(refused.providerId, { card: TEST_CARDS.refused });
    expect(await payfip.verify(refused.providerId)).toMatchObject({ outcome: 'refused', providerCode: 'R', authorisation: undefined });

    const abandoned = await payfip.create(input());
    await simulator.settle(abandoned.providerId, { abandon: true });
    expect(await payfip.verify(abandoned.providerId)).toMatchObject({ outcome: 'abandoned', providerCode: 'A' });
  });

  it('keeps a payment pending when the bank times out, and says unknown for an idOp PayFiP never made', async () => {
    const payfip = provider();
    const created = await payfip.create(input());
    await simulator.settle(created.providerId, { card: TEST_CARDS.timeout });
    expect(await payfip.verify(created.providerId)).toMatchObject({ outcome: 'pending', providerCode: 'P5' });
    expect(await payfip.verify('0123456789abcdef')).toMatchObject({ outcome: 'unknown', providerCode: 'P1' });
  });

  it('turns PayFiP business faults into coded errors and refuses a debt already paid', async () => {
    const payfip = provider();
    const request = input();
    const first = await payfip.create(request);
    await simulator.settle(first.providerId, { card: TEST_CARDS.paid });
    await expect(payfip.create(request)).rejects.toMatchObject({ name: 'PaymentProviderError', code: 'R10' });
    // An idOp PayFiP would never make: a business fault, not a crash.
    await expect(payfip.verify('<script>')).rejects.toMatchObject({ code: 'R11' });
  });

  it('reports an unreachable service as a transport error', async () => {
    const payfip = new PayfipProvider({ numcli: '123456', environment: 'test' }, { serviceUrl: 'http://127.0.0.1:9/tpa/services/securite', paymentUrl: 'http://127.0.0.1:9/p', timeoutMs: 2_000 });
    const error = await payfip.create(input()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaymentProviderError);
    expect(error).toMatchObject({ code: 'transport' });
  });

  it('notifies late, twice or never as the control asks, per client number', async () => {
    const cases = [
      ['654321', 'late', 1],
      ['654322', 'twice', 2],
      ['654323', 'never', 0],
    ] as const;
    for (const [numcli, mode, expected] of cases) {
      simulator.setNotificationMode(mode, { numcli, delayMs: 50 });
      const payfip = provider(numcli);
      const created = await payfip.create(input());
      await simulator.settle(created.providerId, { card: TEST_CARDS.paid });
      await simulator.drained();
      expect(received.filter((body) => body === `idop=${created.providerId}`), mode).toHaveLength(expected);
    }
  });
});

describe('PayFiP simulator facing hostile SOAP', () => {
  const post = (body: string, contentType = 'text/xml; charset=utf-8') =>
    fetch(simulator.serviceUrl, { method: 'POST', headers: { 'content-type': contentType, soapaction: '""' }, body });
  const envelope = (inner: string, prolog = '') =>
    `<?xml version="1.0"?>${prolog}<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:p="${PAYFIP_SERVICE_NS}"><soap:Body>${inner}</soap:Body></soap:Envelope>`;

  it('answers malformed, entity-laden and mistyped envelopes with a fault and keeps serving', async () => {
    const hostile = [
      'not xml at all',
      '<soap:Envelope><soap:Body><unclosed>',
      envelope('<p:recupererDetailPaiementSecurise><arg0><idOp>&xxe;</idOp></arg0></p:recupererDetailPaiementSecurise>', '<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'),
      envelope('<p:recupererDetailPaiementSecurise><arg0><idOp>&a;</idOp></arg0></p:recupererDetailPaiementSecurise>', `<!DOCTYPE d [<!ENTITY a "${'x'.repeat(50)}">]>`),
      envelope('<p:creerPaiementSecurise><arg0><numcli><x>1</x></numcli></arg0></p:creerPaiementSecurise>'),
      envelope('<p:creerPaiementSecurise><arg0><numcli>123456</numcli><montant>-5</montant></arg0></p:creerPaiementSecurise>'),
      envelope(`<p:creerPaiementSecurise><arg0><refdet>${'A'.repeat(10_000)}</refdet></arg0></p:creerPaiementSecurise>`),
      envelope('<p:operationInconnue/>'),
    ];
    for (const body of hostile) {
      const response = await post(body);
      const text = await response.text();
      expect(response.status, body.slice(0, 80)).toBeGreaterThanOrEqual(400);
      expect(text).not.toContain('root:');
      expect(text).not.toMatch(/<idOp>[^<]+<\/idOp>/);
    }
    expect([...simulator.payments.values()].some((p) => p.request.montant === '-5')).toBe(false);
    // Still serving after all of it.
    const created = await provider().create(input());
    expect(created.providerId).toMatch(/^[a-f0-9]{32}$/);
  });

  it('refuses any creerPaiementSecurise field outside PayFiP formats, whatever the text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 60 }), async (text) => {
        // node-soap trims the text of every element (String.prototype.trim) before the service sees it, as an
        // xs:token would be read: " 000000" arrives as "000000".
        const valid = /^[A-Za-z0-9]{6,30}$/.test(text.trim());
        const before = simulator.payments.size;
        // Straight to the service, past the connector's own checks.
        const response = await post(envelope(`<p:creerPaiementSecurise><arg0><exer>2026</exer><mel>a@exemple.fr</mel><montant>100</montant><numcli>123456</numcli><refdet>${escapeXml(text)}</refdet><saisie>T</saisie><urlnotif>${notifyUrl}</urlnotif><urlredirect>${notifyUrl}</urlredirect></arg0></p:creerPaiementSecurise>`));
        await response.text();
        expect(response.status).toBe(valid ? 200 : 500);
        expect(simulator.payments.size).toBe(valid ? before + 1 : before);
      }),
      { numRuns: 60 },
    );
  });

  it('refuses settling an unknown or finished payment from the page', async () => {
    const page = await fetch(simulator.paymentUrl, { method: 'POST', body: new URLSearchParams({ idop: '<img src=x>', card: TEST_CARDS.paid }) });
    expect(page.status).toBe(400);
    expect(await page.text()).not.toContain('<img');
    const created = await provider().create(input());
    await simulator.settle(created.providerId, { abandon: true });
    await expect(simulator.settle(created.providerId, { card: TEST_CARDS.paid })).rejects.toThrow('déjà terminé');
  });
});

function escapeXml(value: string): string {
  return value.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] ?? c);
}

describe('PayFiP request checks', () => {
  const account = { numcli: '123456', environment: 'production' as const };

  it('maps the environment to saisie and names each field at fault in French', () => {
    expect(payfipRequest(account, input()).saisie).toBe('W');
    expect(() => new PayfipProvider({ numcli: '12a456', environment: 'test' }, { serviceUrl: 'http://x', paymentUrl: 'http://x' })).toThrow(InputError);
    const error = (() => {
      try {
        payfipRequest(account, input({ reference: 'AB', amount: 99, email: 'x', returnUrl: 'javascript:alert(1)' }));
      } catch (e) {
        return e as InputError;
      }
    })();
    expect(error?.errors.map((e) => e.path)).toEqual(['/reference', '/amount', '/email', '/returnUrl']);
  });

  it('never sends an objet outside letters, digits and spaces, whatever the label', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: 'grapheme' }), (label) => {
        expect(payfipObject(label)).toMatch(/^[A-Za-z0-9 ]{0,100}$/);
      }),
    );
    expect(payfipObject("Cantine : tarif n°2 — l'été")).toBe('Cantine tarif n2 l ete');
  });

  it('refuses any reference or amount PayFiP would refuse', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.oneof(fc.integer(), fc.double()), (reference, amount) => {
        const valid = /^[A-Za-z0-9]{6,30}$/.test(reference) && Number.isInteger(amount) && amount >= 100 && amount <= 9_999_999;
        const attempt = () => payfipRequest(account, input({ reference, amount }));
        if (valid) expect(attempt).not.toThrow();
        else expect(attempt).toThrow(InputError);
      }),
    );
  });
});
