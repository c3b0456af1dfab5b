import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayReceipt, InboundSms } from '@/integrations/smpp/deliver-sm.js';
import { startTestSmsc, testGateway, waitFor } from '@/integrations/smpp/testing.js';
import type { SmppGateway } from '@/integrations/smpp/gateway.js';
import { smscControlClient, startSmscControl, type SmscControl } from './control.js';
import type { SmscSimulator } from './simulator.js';

let smsc: SmscSimulator | undefined;
let control: SmscControl | undefined;
let gateway: SmppGateway | undefined;

afterEach(async () => {
  await gateway?.stop();
  await control?.stop();
  await smsc?.stop();
  gateway = control = smsc = undefined;
});

describe('SMSC simulator control API', () => {
  it('injects an MO, lists submissions per recipient and fails deliveries on demand', async () => {
    smsc = await startTestSmsc();
    control = await startSmscControl(smsc);
    const inbound: InboundSms[] = [];
    const receipts: GatewayReceipt[] = [];
    gateway = testGateway(smsc, { onInboundMessage: (sms) => void inbound.push(sms), onDeliveryReceipt: (receipt) => void receipts.push(receipt) });
    await gateway.start();
    const client = smscControlClient(control.url);

    await client.injectMo({ from: '33612345678', to: '36180', text: 'MAIRE Bonjour' });
    expect(inbound).toMatchObject([{ from: '+33612345678', to: '36180', text: 'MAIRE Bonjour' }]);

    await client.failDeliveriesTo('+33699999999');
    await gateway.submit({ from: 'VILLEDEMO', to: '+33699999999', text: 'Un', registeredDelivery: true });
    await gateway.submit({ from: 'VILLEDEMO', to: '+33611111111', text: 'Deux', registeredDelivery: true });
    expect((await client.messages('+33699999999')).map((message) => message.text)).toEqual(['Un']);
    await waitFor(() => receipts.length === 2, 'two receipts');
    expect(receipts.find((receipt) => receipt.from === '33699999999')?.status).toBe('failed');
    expect(receipts.find((receipt) => receipt.from === '33611111111')?.status).toBe('delivered');

    await expect(client.injectMo({ from: '', to: '36180', text: 'x' })).rejects.toThrow(/400/);
  });
});
