import smpp, { type PduFields } from 'smpp';
import { describe, expect, it } from 'vitest';
import { encodeSms } from '@/domain/sms/encoding';
import { InboundAssembler, inboundPartFromPdu, isDeliveryReceipt, receiptFromPdu, type InboundPart } from './deliver-sm.js';

// Goes through the library's encoder and parser, as a PDU read from the wire would.
function wirePdu(fields: PduFields) {
  return new smpp.PDU(new smpp.PDU('deliver_sm', fields).toBuffer());
}

describe('deliver_sm classification', () => {
  it('reads a receipt from esm_class 0x04 with its TLVs and addresses', () => {
    const pdu = wirePdu({
      source_addr: '33612345678',
      destination_addr: 'MAIRIE',
      esm_class: 0x04,
      short_message: 'id:A1 sub:001 dlvrd:001 submit date:2501010000 done date:2501010001 stat:DELIVRD err:000 text:',
      receipted_message_id: 'A1',
      message_state: 2,
    });
    expect(isDeliveryReceipt(pdu)).toBe(true);
    expect(receiptFromPdu(pdu)).toMatchObject({ messageId: 'A1', status: 'delivered', from: '33612345678', to: 'MAIRIE' });
  });

  it('reads an MO segment with its UDH and UCS-2 text', () => {
    const sms = encodeSms('ç'.repeat(80), { reference: 9 });
    const pdu = wirePdu({ source_addr: '336', destination_addr: '382', esm_class: sms.esmClass, data_coding: sms.dataCoding, short_message: sms.segments[1] });
    expect(isDeliveryReceipt(pdu)).toBe(false);
    expect(inboundPartFromPdu(pdu)).toEqual({
      from: '336',
      to: '382',
      text: 'ç'.repeat(13),
      dataCoding: 0x08,
      concat: { reference: 9, total: 2, sequence: 2 },
    });
  });

  it('hands MO addresses over in E.164, whatever type of number the SMSC used, and short codes as they are', () => {
    const from = (fields: PduFields) => inboundPartFromPdu(wirePdu({ destination_addr: '36180', short_message: 'Bonjour', ...fields }));
    expect(from({ source_addr: '33612345678', source_addr_ton: 1 })).toMatchObject({ from: '+33612345678', to: '36180' });
    expect(from({ source_addr: '33612345678' })).toMatchObject({ from: '+33612345678' });
    expect(from({ source_addr: '0612345678', source_addr_ton: 2 })).toMatchObject({ from: '+33612345678' });
    expect(from({ source_addr: '0692123456' })).toMatchObject({ from: '+262692123456' });
    expect(from({ source_addr: 'ORANGE', source_addr_ton: 5 })).toMatchObject({ from: 'ORANGE' });
  });

  it('reads concatenation from SAR TLVs and latin1 text', () => {
    const pdu = wirePdu({ data_coding: 0x03, short_message: Buffer.from('Reçu', 'latin1'), sar_msg_ref_num: 300, sar_total_segments: 2, sar_segment_seqnum: 1 });
    expect(inboundPartFromPdu(pdu)).toMatchObject({ text: 'Reçu', concat: { reference: 300, total: 2, sequence: 1 } });
  });
});

describe('InboundAssembler', () => {
  const part = (sequence: number, text: string, from = '336'): InboundPart => ({
    from,
    to: '382',
    text,
    dataCoding: 0,
    concat: { reference: 1, total: 3, sequence },
  });

  it('joins segments in sequence order whatever their arrival order', () => {
    const assembler = new InboundAssembler();
    expect(assembler.add(part(3, 'c'))).toEqual([]);
    expect(assembler.add(part(1, 'a'))).toEqual([]);
    expect(assembler.add(part(2, 'b'))).toEqual([expect.objectContaining({ text: 'abc', segmentCount: 3, complete: true })]);
  });

  it('keeps senders apart and hands over an incomplete message after the timeout', () => {
    let now = 0;
    const assembler = new InboundAssembler({ timeoutMs: 1_000, now: () => now });
    assembler.add(part(1, 'a', '111'));
    assembler.add(part(1, 'x', '222'));
    now = 1_500;
    const ready = assembler.add({ from: '333', to: '382', text: 'STOP', dataCoding: 0 });
    expect(ready.map((message) => [message.from, message.text, message.complete])).toEqual([
      ['111', 'a', false],
      ['222', 'x', false],
      ['333', 'STOP', true],
    ]);
  });
});
