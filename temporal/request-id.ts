import { randomUUID } from 'node:crypto';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { currentRequestId } from '@/integrations/observability/request-id';
import { REQUEST_ID_HEADER } from '@/workflows/request-id';

/**
 * Puts the current request id (the HTTP request being served) on every workflow this client starts; a start made
 * outside one (SMS, e-mail, the recovery of pending starts) gets a new id, so every run's activities carry one.
 */
export const requestIdClientInterceptor: WorkflowClientInterceptor = {
  startWithDetails: (input, next) => next({ ...input, headers: withRequestId(input.headers) }),
  signalWithStart: (input, next) => next({ ...input, headers: withRequestId(input.headers) }),
};

function withRequestId<H extends Record<string, unknown>>(headers: H): H {
  if (headers[REQUEST_ID_HEADER]) return headers;
  return { ...headers, [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(currentRequestId() ?? randomUUID()) };
}
