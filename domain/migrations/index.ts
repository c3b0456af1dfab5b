import { Migration20261128Initial } from './Migration20261128Initial';
import { Migration2026112802Portal } from './Migration2026112802Portal';
import { Migration2026112803Auth } from './Migration2026112803Auth';
import { Migration2026112804Search } from './Migration2026112804Search';
import { Migration2026112805Sms } from './Migration2026112805Sms';
import { Migration2026112806Forms } from './Migration2026112806Forms';
import { Migration2026112907SmsFillfactor } from './Migration2026112907SmsFillfactor';
import { Migration2026112908SmsForeignKeys } from './Migration2026112908SmsForeignKeys';
import { Migration2026112909PortalRateLimit } from './Migration2026112909PortalRateLimit';
import { Migration2026120410PublicApi } from './Migration2026120410PublicApi';
import { Migration2026120411Audit } from './Migration2026120411Audit';
import { Migration2026120412Retention } from './Migration2026120412Retention';
import { Migration2026120413Secrets } from './Migration2026120413Secrets';
import { Migration2026120414Rights } from './Migration2026120414Rights';
import { Migration2026120515PendingStarts } from './Migration2026120515PendingStarts';
import { Migration2026120517PhoneE164 } from './Migration2026120517PhoneE164';
import { Migration2026120518SmsStatus } from './Migration2026120518SmsStatus';
import { Migration2026120520InboundMail } from './Migration2026120520InboundMail';
import { Migration2026120525InboundSpool } from './Migration2026120525InboundSpool';
import { Migration2026120535RequestProcess } from './Migration2026120535RequestProcess';
import { Migration2026120530ProcessDefinition } from './Migration2026120530ProcessDefinition';
import { Migration2026120540Payment } from './Migration2026120540Payment';

/** Every migration, in order; new ones are appended here. */
export const MIGRATIONS = [
  { name: 'Migration20261128Initial', class: Migration20261128Initial },
  { name: 'Migration2026112802Portal', class: Migration2026112802Portal },
  { name: 'Migration2026112803Auth', class: Migration2026112803Auth },
  { name: 'Migration2026112804Search', class: Migration2026112804Search },
  { name: 'Migration2026112805Sms', class: Migration2026112805Sms },
  { name: 'Migration2026112806Forms', class: Migration2026112806Forms },
  { name: 'Migration2026112907SmsFillfactor', class: Migration2026112907SmsFillfactor },
  { name: 'Migration2026112908SmsForeignKeys', class: Migration2026112908SmsForeignKeys },
  { name: 'Migration2026112909PortalRateLimit', class: Migration2026112909PortalRateLimit },
  { name: 'Migration2026120410PublicApi', class: Migration2026120410PublicApi },
  { name: 'Migration2026120411Audit', class: Migration2026120411Audit },
  { name: 'Migration2026120412Retention', class: Migration2026120412Retention },
  { name: 'Migration2026120413Secrets', class: Migration2026120413Secrets },
  { name: 'Migration2026120414Rights', class: Migration2026120414Rights },
  { name: 'Migration2026120515PendingStarts', class: Migration2026120515PendingStarts },
  { name: 'Migration2026120517PhoneE164', class: Migration2026120517PhoneE164 },
  { name: 'Migration2026120518SmsStatus', class: Migration2026120518SmsStatus },
  { name: 'Migration2026120520InboundMail', class: Migration2026120520InboundMail },
  { name: 'Migration2026120525InboundSpool', class: Migration2026120525InboundSpool },
  { name: 'Migration2026120530ProcessDefinition', class: Migration2026120530ProcessDefinition },
  { name: 'Migration2026120535RequestProcess', class: Migration2026120535RequestProcess },
  { name: 'Migration2026120540Payment', class: Migration2026120540Payment },
];
