import type { NotificationMode, SentNotification, SimulatedPayment } from './simulator';

/** Client of the simulator's control API (`/_control/…` on its own port), for tests, benchmarks and the CLI. */
export function payfipControlClient(baseUrl: string) {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${baseUrl}/_control${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
    if (!response.ok) throw new Error(`PayFiP simulator ${method} ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  };
  return {
    /** How notifications go for one client number (or all when `numcli` is absent). */
    setNotificationMode: (mode: NotificationMode, options: { numcli?: string; delayMs?: number } = {}) => call('POST', '/mode', { mode, ...options }),
    /** What submitting the payment page does: a test card number, or abandon. */
    pay: (idop: string, card: string) => call<SimulatedPayment>('POST', '/settle', { idop, card }),
    abandon: (idop: string) => call<SimulatedPayment>('POST', '/settle', { idop, abandon: true }),
    payment: (idop: string) => call<SimulatedPayment>('GET', `/payments/${encodeURIComponent(idop)}`),
    notifications: (idop?: string) => call<SentNotification[]>('GET', `/notifications${idop ? `?idop=${encodeURIComponent(idop)}` : ''}`),
    /** Resolves when every notification scheduled so far has been sent. */
    drain: () => call('POST', '/drain', {}),
  };
}
