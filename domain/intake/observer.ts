import type { IntakeChannel } from '@/domain/entities';

/** A request the intake has just filed (stored, its receipt about to be answered). */
export interface FiledRequest {
  tenantSlug: string;
  channel: IntakeChannel;
}

/** Told of every request the intake files; processes count them in their metrics. */
export interface IntakeObserver {
  requestFiled(filed: FiledRequest): void;
}
