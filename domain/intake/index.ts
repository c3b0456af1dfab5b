// Kept only for the SMS intake (domain/intake/sms.ts, domain/sms/inbound.ts) until it imports the files below directly.
export { createIntake, type IntakeDeps, type IntakeReceipt } from './submission';
export type { StartRequestInput } from './start-input';
