import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { releaseAllExpiredReservations } from '@/domain/payments/stock';

/** How often a worker puts the stock of expired holds back on sale. */
export const EXPIRED_HOLDS_INTERVAL_MS = 60_000;

/**
 * Sweeps expired stock holds once now, then every minute. Every worker runs it; two sweeps at once release each hold
 * once (each product's holds are released under its row lock).
 */
export function watchExpiredHolds(deps: { orm: MikroORM; logger: Logger; intervalMs?: number }): { stop(): Promise<void> } {
  let pass: Promise<void> = Promise.resolve();
  const runPass = () => {
    pass = pass.then(async () => {
      try {
        const freed = await releaseAllExpiredReservations(deps.orm.em);
        if (freed) deps.logger.info({ freed }, 'expired stock holds released');
      } catch (error) {
        deps.logger.error(error, 'expired stock holds could not be released');
      }
    });
  };
  runPass();
  const timer = setInterval(runPass, deps.intervalMs ?? EXPIRED_HOLDS_INTERVAL_MS);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await pass;
    },
  };
}
