import { QueryNotRegisteredError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { currentStepQuery, recordRefundUpdate } from '@/workflows/process/definitions';
import { ActionRefusedError, centsOfEuros, type RequestCommand, type RequestCommands } from '@/domain/inbox/actions';
import type { ActionResult } from '@/domain/requests/contract';
import {
  acceptRegistrationUpdate,
  addNoteUpdate,
  answerRequestUpdate,
  approveAnswerUpdate,
  askCitizenUpdate,
  citizenReplySignal,
  closeRequestUpdate,
  openRequestUpdate,
  rejectRegistrationUpdate,
  resendNotificationUpdate,
  returnDraftUpdate,
  saveDraftUpdate,
  submitForValidationUpdate,
  transferRequestUpdate,
} from '@/workflows/request/definitions';

const CLOSED = 'Cette demande est close : elle ne peut plus être modifiée.';

/** Console actions as updates of the request workflow. */
export function temporalRequestCommands(client: Client): RequestCommands {
  return {
    async execute(workflowId, command) {
      try {
        return await runUpdate(client.workflow.getHandle(workflowId), command);
      } catch (error) {
        const reason = refusalReason(error);
        throw reason ? new ActionRefusedError(reason, { cause: error }) : error;
      }
    },
    async currentStep(workflowId) {
      try {
        return await client.workflow.getHandle(workflowId).query(currentStepQuery);
      } catch (error) {
        // A closed run whose history is gone, or Temporal unreachable: the page shows the record without step buttons.
        if (error instanceof WorkflowNotFoundError || error instanceof QueryNotRegisteredError) return undefined;
        throw error;
      }
    },
    async deliverCitizenReply(workflowId, reply) {
      try {
        await client.workflow.getHandle(workflowId).signal(citizenReplySignal, reply);
      } catch (error) {
        const reason = refusalReason(error);
        throw reason ? new ActionRefusedError(reason, { cause: error }) : error;
      }
    },
  };
}

type Handle = ReturnType<Client['workflow']['getHandle']>;

function runUpdate(handle: Handle, command: RequestCommand): Promise<ActionResult> {
  const { actor } = command;
  if (command.action === 'transfer') return handle.executeUpdate(transferRequestUpdate, { args: [{ actor, to: command.to, note: command.note }] });
  if (command.action === 'resend') {
    return handle.executeUpdate(resendNotificationUpdate, { args: [{ actor, template: command.template, channel: command.channel, state: command.state }] });
  }
  const input = command.input;
  switch (command.action) {
    case 'open':
      return handle.executeUpdate(openRequestUpdate, { args: [{ actor }] });
    case 'save-draft':
      return handle.executeUpdate(saveDraftUpdate, { args: [{ actor, body: input.body }] });
    case 'submit':
      return handle.executeUpdate(submitForValidationUpdate, { args: [{ actor, body: input.body }] });
    case 'approve':
      return handle.executeUpdate(approveAnswerUpdate, { args: [{ actor }] });
    case 'return':
      return handle.executeUpdate(returnDraftUpdate, { args: [{ actor, comment: input.comment }] });
    case 'ask-citizen':
      return handle.executeUpdate(askCitizenUpdate, { args: [{ actor, question: input.question }] });
    case 'answer':
      return handle.executeUpdate(answerRequestUpdate, { args: [{ actor, body: input.body }] });
    case 'note':
      return handle.executeUpdate(addNoteUpdate, { args: [{ actor, text: input.text }] });
    case 'close':
      return handle.executeUpdate(closeRequestUpdate, { args: [{ actor }] });
    case 'accept':
      return handle.executeUpdate(acceptRegistrationUpdate, { args: [{ actor, message: input.message }] });
    case 'reject':
      return handle.executeUpdate(rejectRegistrationUpdate, { args: [{ actor, reason: input.reason }] });
    case 'refund':
      return handle.executeUpdate(recordRefundUpdate, { args: [{ actor, amount: centsOfEuros(input.amount), reason: input.reason }] });
  }
}

function refusalReason(error: unknown): string | undefined {
  if (error instanceof WorkflowUpdateFailedError) return error.cause?.message ?? 'Action refusée.';
  if (error instanceof WorkflowNotFoundError) return CLOSED;
  // A completed workflow answers updates with gRPC NOT_FOUND ("workflow execution already completed").
  if (error instanceof Error && /already completed/i.test(error.message)) return CLOSED;
  return undefined;
}
