import { CHANNEL_LABELS } from '@/domain/states';
import type { IntakeChannel } from '@/domain/entities';

const ICONS: Record<IntakeChannel, string> = { web: '🌐', email: '✉️', sms: '📱', form: '📝', counter: '🏛️', phone: '☎️' };

/** The TYPE column of the inbox: an icon with its French name for screen readers and on hover. */
export function ChannelIcon({ channel }: { channel: IntakeChannel }) {
  const label = CHANNEL_LABELS[channel] ?? channel;
  return (
    <span role="img" aria-label={label} title={label} className="channel-icon">
      {ICONS[channel] ?? '•'}
    </span>
  );
}
