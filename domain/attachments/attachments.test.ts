import { describe, expect, it } from 'vitest';
import { ATTACHMENT_LIMITS, checkFiles, safeFileName, sniffType } from './upload-checks';
import { formatFileSize } from '@/domain/format/french';

const pdf = () => new TextEncoder().encode('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n');
const png = () => Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

describe('attachment checks', () => {
  it('recognises PDF, JPEG and PNG by their first bytes', () => {
    expect(sniffType(pdf())?.type).toBe('application/pdf');
    expect(sniffType(png())?.type).toBe('image/png');
    expect(sniffType(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]))?.type).toBe('image/jpeg');
    expect(sniffType(new TextEncoder().encode('MZ\x90\x00'))).toBeUndefined();
  });

  it('refuses a renamed executable, a mismatched extension, an empty or oversized file, too many files', () => {
    expect(checkFiles([{ name: 'photo.png', bytes: png() }, { name: 'courrier.PDF', bytes: pdf() }])).toEqual([]);
    expect(checkFiles([{ name: 'facture.pdf', bytes: new TextEncoder().encode('MZ\x90\x00') }])[0].message).toMatch(/n'est pas un PDF, JPEG ou PNG/);
    expect(checkFiles([{ name: 'image.jpg', bytes: png() }])).toHaveLength(1);
    expect(checkFiles([{ name: 'vide.pdf', bytes: new Uint8Array() }])[0].message).toMatch(/est vide/);
    const big = new Uint8Array(ATTACHMENT_LIMITS.maxBytes + 1);
    big.set(pdf());
    expect(checkFiles([{ name: 'gros.pdf', bytes: big }])[0].message).toMatch(/dépasse 5 Mo/);
    const six = Array.from({ length: 6 }, (_, i) => ({ name: `p${i}.pdf`, bytes: pdf() }));
    expect(checkFiles(six).map((e) => e.message)).toContain('Vous pouvez joindre au plus 5 fichiers.');
  });

  it('keeps only a harmless base name', () => {
    expect(safeFileName('C:\\Users\\x\\..\\plan "final".pdf')).toBe('plan _final_.pdf');
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
    expect(safeFileName('')).toBe('piece-jointe');
  });

  it('writes sizes the French way', () => {
    expect(formatFileSize(1_572_864)).toBe('1,5 Mo');
    expect(formatFileSize(2048)).toBe('2 ko');
  });
});
