import { Migration } from '@mikro-orm/migrations';
import { parseSmsNumber, tryParsePhone } from '@/domain/contact/phone';

/** A stored phone number, read and written by its own SQL expressions. */
interface PhoneColumn {
  table: string;
  /** The stored value. */
  value: string;
  /** The SET clause writing `?` in its place. */
  set: string;
  /** The new form of a stored value, undefined when it cannot be read (kept as it is). */
  parse: (stored: string) => string | undefined;
}

const smsNumber = (stored: string) => {
  try {
    return parseSmsNumber(stored);
  } catch {
    return undefined;
  }
};

const COLUMNS: PhoneColumn[] = [
  { table: 'request', value: `citizen->>'phone'`, set: `citizen = jsonb_set(citizen, '{phone}', to_jsonb(?::text))`, parse: tryParsePhone },
  { table: 'tenant', value: `settings->>'smsNumber'`, set: `settings = jsonb_set(settings, '{smsNumber}', to_jsonb(?::text))`, parse: smsNumber },
  { table: 'sms_message', value: 'recipient', set: 'recipient = ?', parse: tryParsePhone },
  { table: 'sms_inbound', value: 'sender', set: 'sender = ?', parse: tryParsePhone },
  { table: 'sms_inbound', value: 'recipient', set: 'recipient = ?', parse: smsNumber },
];

/**
 * Phone numbers in E.164 (`+33612345678`, `+262692123456`), as intake now stores them: citizens' numbers were kept as
 * typed, SMS addresses in a form that put overseas numbers under +33. Numbers that cannot be read stay as they were.
 * The index serves the two lookups by number: a reply to a waiting request, and a person's data.
 */
export class Migration2026120517PhoneE164 extends Migration {
  override async up(): Promise<void> {
    for (const column of COLUMNS) await this.normalise(column);
    await this.normaliseOptOuts();
    this.addSql(`create index "request_citizen_phone_idx" on "request" ("tenant_id", (citizen->>'phone'))`);
  }

  override async down(): Promise<void> {
    // The numbers stay in E.164: every earlier reader normalised what it read.
    this.addSql('drop index "request_citizen_phone_idx"');
  }

  // One pass per distinct number, not per row: a citizen's number is on each of their requests and SMS.
  private async normalise(column: PhoneColumn): Promise<void> {
    const rows = await this.execute(`select distinct ${column.value} as stored from "${column.table}" where coalesce(${column.value}, '') <> ''`);
    for (const { stored } of rows as Array<{ stored: string }>) {
      const e164 = column.parse(stored);
      if (e164 && e164 !== stored) await this.execute(`update "${column.table}" set ${column.set} where ${column.value} = ?`, [e164, stored]);
    }
  }

  // Unique per tenant and number: a number STOPped under two spellings keeps one row.
  private async normaliseOptOuts(): Promise<void> {
    const rows = (await this.execute(`select distinct phone as stored from sms_opt_out where phone <> ''`)) as Array<{ stored: string }>;
    for (const { stored } of rows) {
      const e164 = tryParsePhone(stored);
      if (!e164 || e164 === stored) continue;
      await this.execute(
        `delete from sms_opt_out o where o.phone = ? and exists (select 1 from sms_opt_out e where e.tenant_id = o.tenant_id and e.phone = ?)`,
        [stored, e164],
      );
      await this.execute('update sms_opt_out set phone = ? where phone = ?', [e164, stored]);
    }
  }
}
