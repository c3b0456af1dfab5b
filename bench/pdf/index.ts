import { createPdfRenderer } from '@/integrations/documents/renderer';
import { DEFAULT_DOCUMENT_TEMPLATES } from '@/domain/documents/templates';

/** `npx tsx bench/pdf/index.ts`: cold and warm answer-letter renders with one jsreport worker (one pooled Chromium). */
const WARM_RENDERS = Number(process.env.BENCH_PDF_RENDERS ?? 60);
const THROUGHPUT_SECONDS = Number(process.env.BENCH_PDF_SECONDS ?? 20);

function letter(i: number) {
  return {
    tenant: { name: 'Ville de Démo', primaryColor: '#1d4e89', addressLines: ['Hôtel de ville', '1 place de la Mairie', '99999 Démo'], phone: '01 23 45 67 89', email: 'contact@ville-demo.fr', website: 'https://www.ville-demo.fr' },
    place: 'Démo',
    dateLong: '28 novembre 2026',
    reference: `2026-${String(i).padStart(6, '0')}`,
    subject: 'Demande d’acte de naissance',
    department: 'État civil',
    recipientLines: ['Léa Martin', '12 rue de la République', '93100 MONTREUIL'],
    answer: 'Madame,\n\nNous avons bien reçu votre demande et vous adressons ci-joint la copie intégrale demandée.\n\n'.repeat(3) + 'Veuillez agréer, Madame, nos salutations distinguées.',
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main(): Promise<void> {
  const renderer = createPdfRenderer();
  const template = DEFAULT_DOCUMENT_TEMPLATES['answer-letter'];
  try {
    let t = performance.now();
    const first = await renderer.render(template, letter(0));
    const cold = performance.now() - t;
    console.log(`cold render (jsreport + Chromium start): ${cold.toFixed(0)} ms, ${first.length} bytes`);
    for (let i = 0; i < 3; i++) await renderer.render(template, letter(i));

    const times: number[] = [];
    for (let i = 0; i < WARM_RENDERS; i++) {
      t = performance.now();
      await renderer.render(template, letter(i));
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const p50 = percentile(times, 50);
    const p95 = percentile(times, 95);
    console.log(`warm renders: ${WARM_RENDERS}, p50 ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, max ${times.at(-1)!.toFixed(0)} ms`);

    const until = performance.now() + THROUGHPUT_SECONDS * 1000;
    let count = 0;
    const start = performance.now();
    while (performance.now() < until) await renderer.render(template, letter(count++));
    const perMinute = (count / ((performance.now() - start) / 1000)) * 60;
    console.log(`throughput: ${count} letters in ${THROUGHPUT_SECONDS} s with one worker, one at a time`);
    console.log(`pdf: warm letter p50 ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, ${perMinute.toFixed(0)} PDFs/min (1 jsreport worker), cold ${cold.toFixed(0)} ms`);
  } finally {
    await renderer.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
