import type { ReplyChannel, RequestKind } from '@/domain/requests/kinds';
import type { RequestWorkflowInput } from '@/domain/requests/contract';
import type { ProcessWorkflowInput } from '@/domain/processes/workflow-contract';

/** What a process adds to the workflow input; all or none of it (with it, the request runs `processWorkflow`). */
type ProcessPart = Partial<Omit<ProcessWorkflowInput, keyof RequestWorkflowInput>>;

/** The workflow input the intake hands to Temporal, with the workflow id it must run under. */
export type StartRequestInput = RequestWorkflowInput & ProcessPart & { workflowId: string; kind: RequestKind; replyChannel: ReplyChannel };

/**
 * Starts the request workflow under `input.workflowId`; resolves when a run with that id exists (started now or
 * before), rejects when Temporal cannot be reached or refuses.
 */
export type StartRequestWorkflow = (input: StartRequestInput) => Promise<void>;
