import { describe, expect, it } from 'vitest';
import { DEFAULT_EMAIL_TEMPLATES, renderText } from './templates';
import { reminderVariables } from './reminder';

const DAY = 86_400_000;
const received = Date.parse('2026-12-01T08:00:00Z');
const due = new Date(received + 8 * DAY);
const at = (percent: number) => new Date(received + (8 * DAY * percent) / 100);

function reminder(percent: number) {
  const vars = {
    tenantName: 'Ville de Démo',
    reference: '2026-000042',
    subject: 'Lampadaire en panne',
    departmentName: 'Urbanisme',
    dueDate: '09/12/2026 à 09:00',
    consoleUrl: 'https://relais.example/console/demo/demandes/2026-000042',
    percent,
    ...reminderVariables(percent, due, at(percent)),
  };
  const { subject, body } = DEFAULT_EMAIL_TEMPLATES.reminder;
  return { subject: renderText(subject!, vars), body: renderText(body, vars) };
}

describe('escalation reminders', () => {
  it('at 66 % of the delay: the deadline is near', () => {
    expect(reminder(66)).toEqual({
      subject: '[Ville de Démo] Relance : demande 2026-000042 — l’échéance approche (66 % du délai)',
      body: `L'échéance approche : la demande 2026-000042 « Lampadaire en panne » n'a pas encore reçu de réponse.

66 % du délai de traitement est écoulé ; la réponse est attendue au plus tard le 09/12/2026 à 09:00.

Service : Urbanisme

Ouvrir la demande : https://relais.example/console/demo/demandes/2026-000042`,
    });
  });

  it('at 100 %: says plainly that the deadline promised to the citizen has passed', () => {
    const { subject, body } = reminder(100);
    expect(subject).toBe('[Ville de Démo] Relance : demande 2026-000042 — délai dépassé (100 % du délai)');
    expect(body).toBe(`Le délai de réponse garanti au citoyen est dépassé depuis le 09/12/2026 à 09:00.

La demande 2026-000042 « Lampadaire en panne » n'a toujours pas reçu de réponse. Répondez au citoyen sans attendre ou, si la réponse demande encore du temps, dites-lui où en est sa demande.

Service : Urbanisme

Ouvrir la demande : https://relais.example/console/demo/demandes/2026-000042`);
    expect(body).not.toContain('approche');
  });

  it('at 150 %: the deadline has passed, and by how long', () => {
    const { subject, body } = reminder(150);
    expect(subject).toContain('délai dépassé (150 % du délai)');
    expect(body.split('\n')[0]).toBe('Le délai de réponse garanti au citoyen est dépassé depuis le 09/12/2026 à 09:00 (4 jours de retard).');
  });

  it('counts the lateness in days, else in hours, and not within the first hour', () => {
    expect(reminderVariables(66, due, at(66))).toEqual({ overdue: false, lateBy: '' });
    expect(reminderVariables(100, due, new Date(due.getTime() + 30 * 60_000))).toEqual({ overdue: true, lateBy: '' });
    expect(reminderVariables(110, due, new Date(due.getTime() + 5.5 * 3_600_000))).toEqual({ overdue: true, lateBy: '5 heures' });
    expect(reminderVariables(120, due, new Date(due.getTime() + 1.2 * DAY))).toEqual({ overdue: true, lateBy: '1 jour' });
  });
});
