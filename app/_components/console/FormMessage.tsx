import type { ReactNode } from 'react';

/** What became of a console form's submission. */
export interface FormOutcome {
  kind: 'ok' | 'error';
  text: string;
}

/** The outcome under a console form: read out at once as an alert when it failed, politely as a status when it worked. */
export function FormMessage({ message, children }: { message: FormOutcome | null; children?: ReactNode }) {
  if (!message) return null;
  return (
    <p role={message.kind === 'error' ? 'alert' : 'status'} className={`alert ${message.kind}`}>
      {message.text}
      {children}
    </p>
  );
}
