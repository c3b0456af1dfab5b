import { env } from '@/domain/env';

/** An error whose message is the whole story: printed as is, without a stack; `exitCode` 2 says the input was refused. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** The database URL, or a CliError saying how to set it. */
export function requireDatabase(): string {
  const url = env().DATABASE_URL;
  if (!url) throw new CliError('DATABASE_URL is not set: point it at the database (npm start prints the embedded one).');
  return url;
}
