import smpp from 'smpp';
import { describe, expect, it } from 'vitest';
import { DATA_CODING_UCS2, encodeSms } from '@/domain/sms/encoding';
import { DeliverSmRespPdu, SubmitSmPdu, type SubmitSm } from './pdus.js';

const alphanumeric = { ton: 5, npi: 0, value: 'VILLEDEMO' };
const mobile = { ton: 1, npi: 1, value: '33612345678' };

/** The same submit_sm as the `smpp` library lays it out. */
function libraryOctets(submit: SubmitSm, sequence: number): Buffer {
  const pdu = new smpp.PDU('submit_sm', {
    sequence_number: sequence,
    source_addr_ton: submit.source.ton,
    source_addr_npi: submit.source.npi,
    source_addr: submit.source.value,
    dest_addr_ton: submit.destination.ton,
    dest_addr_npi: submit.destination.npi,
    destination_addr: submit.destination.value,
    esm_class: submit.esmClass,
    registered_delivery: submit.registeredDelivery,
    data_coding: submit.dataCoding,
    short_message: submit.shortMessage,
  });
  return pdu.toBuffer();
}

function octets(submit: SubmitSm, sequence: number): Buffer {
  const pdu = new SubmitSmPdu(submit);
  pdu.sequence_number = sequence;
  return pdu.toBuffer();
}

describe('submit_sm octets', () => {
  it('match the smpp library for a GSM text from an alphanumeric sender, with a receipt asked for', () => {
    const [segment] = encodeSms('Demande 2026-000123 enregistrée. Réponse au plus tard le 08/12/2026 [€]').segments;
    const submit = { source: alphanumeric, destination: mobile, esmClass: 0, registeredDelivery: 1, dataCoding: 0, shortMessage: segment };
    expect(octets(submit, 7).equals(libraryOctets(submit, 7))).toBe(true);
  });

  it('match the smpp library for each UCS-2 segment of a long text with its UDH, from a number, without receipt', () => {
    const encoded = encodeSms('Réunion publique 🎉 ' + 'ç'.repeat(120), { reference: 42 });
    expect(encoded.dataCoding).toBe(DATA_CODING_UCS2);
    expect(encoded.segmentCount).toBe(3);
    encoded.segments.forEach((segment, index) => {
      const submit = { source: mobile, destination: { ton: 0, npi: 1, value: '0612345678' }, esmClass: encoded.esmClass, registeredDelivery: 0, dataCoding: encoded.dataCoding, shortMessage: segment };
      expect(octets(submit, 0x7fffffff - index).equals(libraryOctets(submit, 0x7fffffff - index))).toBe(true);
    });
  });

  it('are read back by the library with every field in place', () => {
    const [segment] = encodeSms('Bonjour').segments;
    const read = new smpp.PDU(octets({ source: alphanumeric, destination: mobile, esmClass: 0, registeredDelivery: 1, dataCoding: 0, shortMessage: segment }, 12));
    expect(read).toMatchObject({
      command: 'submit_sm',
      sequence_number: 12,
      source_addr: 'VILLEDEMO',
      source_addr_ton: 5,
      destination_addr: '33612345678',
      dest_addr_ton: 1,
      registered_delivery: 1,
    });
    expect(read.short_message).toMatchObject({ message: 'Bonjour' });
  });

  it('refuse an address SMPP cannot carry and a short message over 254 octets, naming the field', () => {
    const shortMessage = Buffer.from('x');
    const base = { source: alphanumeric, destination: mobile, esmClass: 0, registeredDelivery: 0, dataCoding: 0, shortMessage };
    expect(() => octets({ ...base, destination: { ...mobile, value: '3'.repeat(21) } }, 1)).toThrow(/destination address/);
    expect(() => octets({ ...base, source: { ...alphanumeric, value: 'Mairié' } }, 1)).toThrow(/source address "Mairié"/);
    expect(() => octets({ ...base, shortMessage: Buffer.alloc(255) }, 1)).toThrow(/254 octets, got 255/);
  });
});

describe('deliver_sm_resp octets', () => {
  it('match the smpp library for an acceptance and for a temporary error', () => {
    const deliver = new smpp.PDU('deliver_sm', { sequence_number: 4242, source_addr: '33612345678', short_message: 'id:1 stat:DELIVRD' });
    for (const status of [0, 0x64]) {
      const library = deliver.response({ command_status: status }).toBuffer();
      expect(new DeliverSmRespPdu(4242, status).toBuffer().equals(library)).toBe(true);
    }
  });
});
