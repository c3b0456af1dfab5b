'use client';

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

/** Weekly received / answered bars; the same figures are in the table next to it for screen readers. */
export function TrendChart({ data }: { data: Array<{ week: string; received: number; answered: number }> }) {
  const rows = data.map((d) => ({ ...d, label: d.week.split('-').reverse().slice(0, 2).join('/') }));
  return (
    <div aria-hidden="true" style={{ width: '100%', height: 280 }}>
      <ResponsiveContainer>
        <BarChart data={rows} margin={{ top: 10, right: 10, bottom: 10, left: 0 }} accessibilityLayer={false}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="label" />
          <YAxis allowDecimals={false} />
          <Tooltip />
          <Legend />
          <Bar dataKey="received" name="Reçues" fill="#1d4e89" />
          <Bar dataKey="answered" name="Répondues" fill="#18753c" />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
