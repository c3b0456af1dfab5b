import type { NewRequestBody } from './schema';
import type { StartRequestInput } from './start-input';
import { createIntake, type IntakeDeps, type IntakeReceipt } from './submission';

/** An e-mail that becomes a request. */
export interface InboundEmailRequest {
  tenantSlug: string;
  body: NewRequestBody;
  /** False past the tenant's hourly acknowledgements per sender: the request is filed without one. */
  acknowledge: boolean;
  /**
   * Called with the new request's id once it is committed, before its workflow starts, so a redelivered e-mail finds
   * it; should it fail, the request stays stored and the worker's recovery starts its workflow.
   */
  beforeStart?: (input: StartRequestInput) => Promise<void>;
}

/** Files an inbound e-mail through the same intake as the web form, on the 'email' channel. */
export async function submitInboundEmail(deps: IntakeDeps, email: InboundEmailRequest): Promise<IntakeReceipt> {
  const intake = createIntake({
    ...deps,
    startWorkflow: async (input) => {
      await email.beforeStart?.(input);
      await deps.startWorkflow(input);
    },
  });
  return intake.submitRequest(email.tenantSlug, email.body, 'email', { acknowledge: email.acknowledge });
}
