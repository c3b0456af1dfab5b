import createJsreport from '@jsreport/jsreport-core';
import chromePdf from '@jsreport/jsreport-chrome-pdf';
import handlebars from '@jsreport/jsreport-handlebars';
import type { PdfRenderer } from '@/domain/documents/pdf';

/** Where the system Chromium lives; the puppeteer browser download is disabled on purpose. */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

export type { PdfRenderer, PdfTemplate } from '@/domain/documents/pdf';

/** Options of createPdfRenderer. */
export interface PdfRendererOptions {
  chromiumPath?: string;
  timeoutMs?: number;
}

/** A jsreport instance (handlebars + chrome-pdf on the system Chromium, one pooled browser), started on first render. */
export function createPdfRenderer(options: PdfRendererOptions = {}): PdfRenderer {
  let instance: ReturnType<typeof createJsreport> | undefined;
  let starting: Promise<ReturnType<typeof createJsreport>> | undefined;
  let closed = false;

  function start(): Promise<ReturnType<typeof createJsreport>> {
    starting ??= (async () => {
      const jsreport = createJsreport({
        loadConfig: false,
        discover: false,
        logger: { silent: true },
        reportTimeout: options.timeoutMs ?? 60_000,
        workers: { numberOfWorkers: 1 },
        extensions: {
          'chrome-pdf': {
            strategy: 'chrome-pool',
            numberOfWorkers: 1,
            launchOptions: {
              executablePath: options.chromiumPath ?? DEFAULT_CHROMIUM,
              // Templates are editable by tenant administrators: pages run no script (no endless loop can stall the pool) and
              // reach no network, loopback included, through a proxy that does not exist (images are inline data: URLs).
              args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--blink-settings=scriptEnabled=false', '--proxy-server=http://127.0.0.1:9', '--proxy-bypass-list=<-loopback>'],
            },
          },
        },
      });
      jsreport.use(handlebars());
      jsreport.use(chromePdf());
      await jsreport.init();
      instance = jsreport;
      return jsreport;
    })().catch((error) => {
      starting = undefined;
      throw new Error(`jsreport could not start Chromium at ${options.chromiumPath ?? DEFAULT_CHROMIUM}`, { cause: error });
    });
    return starting;
  }

  return {
    async render(template, data) {
      if (closed) throw new Error('The PDF renderer is closed.');
      const jsreport = await start();
      const response = await jsreport.render({
        template: {
          content: template.content,
          helpers: template.helpers ?? '',
          engine: 'handlebars',
          recipe: 'chrome-pdf',
          // Margins live in the template's CSS (@page) so the envelope window position is exact.
          chrome: { format: 'A4', printBackground: true, marginTop: '0', marginRight: '0', marginBottom: '0', marginLeft: '0' },
        },
        data,
      });
      return response.content;
    },
    async close() {
      closed = true;
      const running = instance ?? (starting ? await starting.catch(() => undefined) : undefined);
      instance = undefined;
      starting = undefined;
      await running?.close();
    },
  };
}
