import { describe, expect, it } from 'vitest';
import { MessageState, parseDeliveryReceipt, parseReceiptFields } from './receipt.js';

const DELIVERED_TEXT =
  'id:0a1b2c3d sub:001 dlvrd:001 submit date:2503141200 done date:2503141201 stat:DELIVRD err:000 text:Bonjour id:faux';

describe('parseReceiptFields', () => {
  it('reads every Appendix B field and keeps text: to the end, whatever it contains', () => {
    expect(parseReceiptFields(DELIVERED_TEXT)).toEqual({
      id: '0a1b2c3d',
      sub: '001',
      dlvrd: '001',
      'submit date': '2503141200',
      'done date': '2503141201',
      stat: 'DELIVRD',
      err: '000',
      text: 'Bonjour id:faux',
    });
  });

  it('accepts uppercase keys and missing fields', () => {
    expect(parseReceiptFields('ID:77 STAT:UNDELIV ERR:012')).toEqual({ id: '77', stat: 'UNDELIV', err: '012' });
  });
});

describe('parseDeliveryReceipt', () => {
  it('maps a DELIVRD text to delivered with its id, error and dates', () => {
    expect(parseDeliveryReceipt({ text: DELIVERED_TEXT })).toMatchObject({
      messageId: '0a1b2c3d',
      status: 'delivered',
      final: true,
      stat: 'DELIVRD',
      errorCode: '000',
      submitDate: '2503141200',
      doneDate: '2503141201',
      source: 'text',
    });
  });

  it.each([
    ['UNDELIV', 'failed'],
    ['REJECTD', 'failed'],
    ['DELETED', 'failed'],
    ['EXPIRED', 'expired'],
    ['ACCEPTD', 'unknown'],
    ['ENROUTE', 'unknown'],
    ['UNKNOWN', 'unknown'],
  ])('maps stat:%s to %s', (stat, status) => {
    expect(parseDeliveryReceipt({ text: `id:1 stat:${stat} err:001` }).status).toBe(status);
  });

  it('prefers the TLVs receipted_message_id and message_state over the text', () => {
    const receipt = parseDeliveryReceipt({
      receiptedMessageId: 'ABC',
      messageState: MessageState.UNDELIVERABLE,
      text: 'id:999 stat:DELIVRD err:000',
      networkErrorCode: Buffer.from([0x03, 0x00, 0x01]),
    });
    expect(receipt).toMatchObject({ messageId: 'ABC', status: 'failed', final: true, source: 'tlv' });
    expect(receipt.networkErrorCode).toBe('030001');
  });

  it.each([
    [MessageState.DELIVERED, 'delivered', true],
    [MessageState.EXPIRED, 'expired', true],
    [MessageState.REJECTED, 'failed', true],
    [MessageState.ENROUTE, 'unknown', false],
    [MessageState.ACCEPTED, 'unknown', false],
  ])('maps message_state %i to %s (final %s) with TLVs only', (messageState, status, final) => {
    expect(parseDeliveryReceipt({ receiptedMessageId: 'X', messageState })).toMatchObject({ status, final, messageId: 'X' });
  });

  it('returns an unknown format raw instead of throwing it away', () => {
    const receipt = parseDeliveryReceipt({ text: 'Your message was handed over' });
    expect(receipt).toMatchObject({ status: 'unknown', source: 'raw', raw: 'Your message was handed over' });
    expect(receipt.messageId).toBeUndefined();
  });

  it('keeps an unrecognised stat value while reporting unknown', () => {
    expect(parseDeliveryReceipt({ text: 'id:5 stat:WEIRD' })).toMatchObject({ status: 'unknown', stat: 'WEIRD', source: 'text' });
  });
});
