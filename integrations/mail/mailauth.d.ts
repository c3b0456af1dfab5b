// mailauth 4.x ships no types: the part of its API Relais calls (authenticate's options and results).
declare module 'mailauth' {
  interface AuthStatus {
    status?: { result?: string; comment?: string };
  }
  export interface AuthenticateOptions {
    ip: string;
    helo: string;
    sender: string;
    mta: string;
    resolver?: (name: string, rrtype: string) => Promise<unknown>;
    disableArc?: boolean;
    disableBimi?: boolean;
  }
  export interface AuthenticateResult {
    spf: AuthStatus | false;
    dkim?: { results?: AuthStatus[] };
    dmarc: AuthStatus | false;
    headers?: string;
  }
  export function authenticate(message: Buffer, options: AuthenticateOptions): Promise<AuthenticateResult>;
}
