import { Migration } from '@mikro-orm/migrations';

/**
 * One status record per SMS: `sms_message` (claimed, submitted, then decided by receipts). `notification` keeps the
 * e-mails; its SMS rows repeated what sms_message holds, and receipts copied every status across. An SMS row with no
 * sms_message under its key is an attempt stopped before its claim, so before any submit: its activity, retried, sends
 * it. Any other (there should be none) is kept as an SMS of that status.
 */
export class Migration2026120518SmsStatus extends Migration {
  override async up(): Promise<void> {
    for (const statement of MOVE_SMS_NOTIFICATIONS) this.addSql(statement);
    this.addSql('alter table "notification" drop column "segments"');
  }

  override async down(): Promise<void> {
    // The SMS rows are not written back: sms_message keeps every SMS.
    this.addSql('alter table "notification" add column "segments" int null');
  }
}

/** The SMS rows of `notification` to sms_message (when missing there), then out of notification. */
export const MOVE_SMS_NOTIFICATIONS = [
  `insert into sms_message (id, tenant_id, request_id, idempotency_key, template, recipient, sender, text, data_coding, segment_count, status,
                                          error, created_at, submitted_at)
      select n.id, n.tenant_id, n.request_id, n.idempotency_key, n.template, left(n.recipient, 32), '', coalesce(n.subject, ''), 0, 1,
             case n.status when 'sent' then 'submitted' when 'delivered' then 'delivered' when 'expired' then 'expired' else 'failed' end,
             n.error, n.created_at, n.sent_at
        from notification n
       where n.channel = 'sms' and n.status <> 'pending' and not exists (select 1 from sms_message m where m.idempotency_key = n.idempotency_key)`,
  `delete from notification where channel = 'sms'`,
];
