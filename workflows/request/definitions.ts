import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AcceptRegistrationInput, ActionInput, ActionResult, AnswerInput, AskCitizenInput, CitizenReply, NoteInput, RejectRegistrationInput, RequestSnapshot, ResendInput, ReturnInput, TransferInput } from '@/domain/requests/contract';

export * from '@/domain/requests/contract';

export const openRequestUpdate = defineUpdate<ActionResult, [ActionInput]>('openRequest');
export const saveDraftUpdate = defineUpdate<ActionResult, [AnswerInput]>('saveDraft');
export const submitForValidationUpdate = defineUpdate<ActionResult, [AnswerInput]>('submitForValidation');
export const approveAnswerUpdate = defineUpdate<ActionResult, [ActionInput]>('approveAnswer');
export const returnDraftUpdate = defineUpdate<ActionResult, [ReturnInput]>('returnDraft');
export const transferRequestUpdate = defineUpdate<ActionResult, [TransferInput]>('transferRequest');
export const askCitizenUpdate = defineUpdate<ActionResult, [AskCitizenInput]>('askCitizen');
export const answerRequestUpdate = defineUpdate<ActionResult, [AnswerInput]>('answerRequest');
export const addNoteUpdate = defineUpdate<ActionResult, [NoteInput]>('addNote');
export const closeRequestUpdate = defineUpdate<ActionResult, [ActionInput]>('closeRequest');
/** Sends a message to the citizen again through another channel; added later, so older runs simply never received it. */
export const resendNotificationUpdate = defineUpdate<ActionResult, [ResendInput]>('resendNotification');

export const acceptRegistrationUpdate = defineUpdate<ActionResult, [AcceptRegistrationInput]>('acceptRegistration');
export const rejectRegistrationUpdate = defineUpdate<ActionResult, [RejectRegistrationInput]>('rejectRegistration');

export const citizenReplySignal = defineSignal<[CitizenReply]>('citizenReply');

export const snapshotQuery = defineQuery<RequestSnapshot>('snapshot');
