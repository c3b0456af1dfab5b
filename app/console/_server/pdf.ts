import 'server-only';
import { createPdfRenderer, type PdfRenderer, type PdfTemplate } from '@/integrations/documents/renderer';
import { env } from '@/domain/env';

// Previews are rare: Chromium starts on the first one and stops after a few idle minutes instead of living in every web process.
const IDLE_MS = 5 * 60_000;
const PREVIEW_TIMEOUT_MS = 20_000;

let renderer: PdfRenderer | undefined;
let idleTimer: NodeJS.Timeout | undefined;
let running = 0;

/** Renders a document template preview in the web process with its own jsreport instance, started on demand. */
export async function renderPreviewPdf(template: PdfTemplate, data: unknown): Promise<Buffer> {
  clearTimeout(idleTimer);
  renderer ??= createPdfRenderer({ chromiumPath: env().CHROMIUM_PATH, timeoutMs: PREVIEW_TIMEOUT_MS });
  const current = renderer;
  running += 1;
  try {
    return await current.render(template, data);
  } finally {
    running -= 1;
    if (running === 0) {
      idleTimer = setTimeout(() => void closePreviewRenderer(), IDLE_MS);
      idleTimer.unref();
    }
  }
}

/** Stops the preview Chromium now (idle timeout, tests). */
export async function closePreviewRenderer(): Promise<void> {
  clearTimeout(idleTimer);
  const current = renderer;
  renderer = undefined;
  await current?.close();
}
