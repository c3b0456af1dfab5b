import { AgentRoleSchema, AgentSchema, AgentSessionSchema, LoginAttemptSchema, OidcLoginSchema, PasswordResetSchema, TenantOidcSchema } from './agent';
import { AuditLogSchema } from './audit';
import { CampaignRecipientSchema, CampaignSchema, CampaignTemplateSchema, SmsRateBucketSchema } from './campaigns';
import { DocumentTemplateSchema, ExportAttemptSchema, FormDefinitionSchema, RequestDocumentSchema } from './forms';
import { ImapMailboxStateSchema, InboundEmailSchema, InboundSpoolEntrySchema } from './mail';
import { AnswerTemplateSchema, MessageTemplateSchema, NotificationSchema } from './messages';
import { AttachmentSchema, FormDraftSchema, FormTokenUseSchema, PortalRateLimitSchema, RequestFingerprintSchema } from './portal';
import { CitizenRequestSchema, ReferenceCounterSchema, RequestEventSchema, RequestWorkflowStartSchema } from './request';
import { PaymentSchema, ProductSchema, StockReservationSchema } from './payments';
import { ProcessDefinitionRecordSchema } from './processes';
import { SubscriberSchema, SubscriptionEventSchema, SubscriptionListSchema, SubscriptionSchema } from './subscriptions';
import { SmsInboundSchema, SmsMessageSchema, SmsOptOutSchema, SmsReceiptSchema, SmsSegmentSchema } from './sms';
import { DepartmentSchema, TenantSchema, TopicSchema } from './tenant';
import { WorkerPresenceSchema } from './workers';

export * from './agent';
export * from './audit';
export * from './campaigns';
export * from './forms';
export * from './mail';
export * from './messages';
export * from './payments';
export * from './portal';
export * from './processes';
export * from './request';
export * from './sms';
export * from './subscriptions';
export * from './tenant';
export * from './workers';

/** Every entity schema, one per table the migrations create; domain/entities/schema.test.ts holds them equal. */
export const ENTITIES = [
  TenantSchema,
  DepartmentSchema,
  TopicSchema,
  AgentSchema,
  AgentRoleSchema,
  AgentSessionSchema,
  LoginAttemptSchema,
  PasswordResetSchema,
  TenantOidcSchema,
  OidcLoginSchema,
  CitizenRequestSchema,
  RequestEventSchema,
  ReferenceCounterSchema,
  RequestWorkflowStartSchema,
  AnswerTemplateSchema,
  MessageTemplateSchema,
  NotificationSchema,
  AttachmentSchema,
  FormDraftSchema,
  FormTokenUseSchema,
  RequestFingerprintSchema,
  PortalRateLimitSchema,
  FormDefinitionSchema,
  RequestDocumentSchema,
  DocumentTemplateSchema,
  ExportAttemptSchema,
  SmsMessageSchema,
  SmsSegmentSchema,
  SmsReceiptSchema,
  SmsInboundSchema,
  SmsOptOutSchema,
  AuditLogSchema,
  InboundEmailSchema,
  ImapMailboxStateSchema,
  InboundSpoolEntrySchema,
  ProcessDefinitionRecordSchema,
  SubscriptionListSchema,
  SubscriberSchema,
  SubscriptionSchema,
  SubscriptionEventSchema,
  ProductSchema,
  StockReservationSchema,
  PaymentSchema,
  CampaignTemplateSchema,
  CampaignSchema,
  CampaignRecipientSchema,
  SmsRateBucketSchema,
  WorkerPresenceSchema,
];
