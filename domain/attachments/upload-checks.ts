// What the portal accepts as attachments: how many, how large, which types (judged by content, not by name).
import type { FieldError } from '@/domain/validation';

/** Upload limits of the citizen portal. */
export const ATTACHMENT_LIMITS = { maxFiles: 5, maxBytes: 5 * 1024 * 1024 } as const;

/** Accepted types, recognised by their first bytes: a renamed executable is refused whatever its extension. */
export const ACCEPTED_TYPES = [
  { type: 'application/pdf', label: 'PDF', extensions: ['pdf'], magic: [0x25, 0x50, 0x44, 0x46, 0x2d] },
  { type: 'image/jpeg', label: 'JPEG', extensions: ['jpg', 'jpeg'], magic: [0xff, 0xd8, 0xff] },
  { type: 'image/png', label: 'PNG', extensions: ['png'], magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
] as const;

/** A file as the web layer received it. */
export interface IncomingFile {
  name: string;
  bytes: Uint8Array;
}

/** The type of a file judged by its content, or undefined when it is not accepted. */
export function sniffType(bytes: Uint8Array): (typeof ACCEPTED_TYPES)[number] | undefined {
  return ACCEPTED_TYPES.find((t) => t.magic.every((b, i) => bytes[i] === b));
}

/** A file name safe to store and to send back in Content-Disposition: no path, no control characters. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[\u0000-\u001f\u007f"<>|*?:]/g, '_').trim().slice(-200);
  return cleaned || 'piece-jointe';
}

/** Checks count, size, type (by magic bytes) and extension; field errors point at `pointer`. */
export function checkFiles(files: IncomingFile[], pointer = '/attachments'): FieldError[] {
  const errors: FieldError[] = [];
  if (files.length > ATTACHMENT_LIMITS.maxFiles) errors.push({ path: pointer, message: `Vous pouvez joindre au plus ${ATTACHMENT_LIMITS.maxFiles} fichiers.` });
  for (const file of files) {
    const name = safeFileName(file.name);
    if (file.bytes.length === 0) errors.push({ path: pointer, message: `Le fichier « ${name} » est vide.` });
    else if (file.bytes.length > ATTACHMENT_LIMITS.maxBytes) errors.push({ path: pointer, message: `Le fichier « ${name} » dépasse 5 Mo.` });
    else {
      const type = sniffType(file.bytes);
      const extension = name.toLowerCase().split('.').pop() ?? '';
      if (!type || !(type.extensions as readonly string[]).includes(extension))
        errors.push({ path: pointer, message: `Le fichier « ${name} » n'est pas un PDF, JPEG ou PNG valide.` });
    }
  }
  return errors;
}
