import { defaultPayloadConverter, type Headers } from '@temporalio/common';
import type { WorkflowInterceptors } from '@temporalio/workflow';

/** The Temporal header that carries the id of the HTTP request (or intake) that started a workflow to its activities. */
export const REQUEST_ID_HEADER = 'relais-request-id';

/** The request id a set of Temporal headers carries, if any. */
export function requestIdOf(headers: Headers): string | undefined {
  const payload = headers[REQUEST_ID_HEADER];
  if (!payload) return undefined;
  const value: unknown = defaultPayloadConverter.fromPayload(payload);
  return typeof value === 'string' ? value : undefined;
}

/**
 * Workflow interceptors: the request id the workflow was started with (kept in its history, so replays see the same)
 * goes on every activity, child workflow and continue-as-new it schedules.
 */
export const interceptors = (): WorkflowInterceptors => {
  let requestId: string | undefined;
  const withId = <T extends { headers: Headers }>(input: T): T =>
    requestId === undefined ? input : { ...input, headers: { ...input.headers, [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(requestId) } };
  return {
    inbound: [
      {
        execute(input, next) {
          requestId = requestIdOf(input.headers);
          return next(input);
        },
      },
    ],
    outbound: [
      {
        scheduleActivity: (input, next) => next(withId(input)),
        scheduleLocalActivity: (input, next) => next(withId(input)),
        startChildWorkflowExecution: (input, next) => next(withId(input)),
        continueAsNew: (input, next) => next(withId(input)),
      },
    ],
  };
};
