import { hash, verify } from '@node-rs/argon2';
import { InputError } from '@/domain/validation';

// Argon2id with the library defaults (19 MiB, 2 passes): OWASP's baseline, about 30 ms here.
/** Hashes a password with argon2id. */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

// Verified against when the e-mail is unknown, so timing does not reveal which accounts exist.
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Qs3kBHV0e2QYOr8T5mBcLr7aQhm5y5uZ2WvqvPpS8mA';

/** True when the password matches the hash; a missing hash still costs one verification. */
export async function verifyPassword(passwordHash: string | null | undefined, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash ?? DUMMY_HASH, password);
  } catch {
    return false;
  }
}

/** Refuses passwords too weak for an agent account. */
export function assertStrongPassword(password: string, path = '/password'): void {
  if (typeof password !== 'string' || password.length < 12) {
    throw new InputError([{ path, message: 'Le mot de passe doit contenir au moins 12 caractères.' }]);
  }
  if (password.length > 200) throw new InputError([{ path, message: 'Le mot de passe ne doit pas dépasser 200 caractères.' }]);
}
