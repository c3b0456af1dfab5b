/** One Handlebars + HTML template rendered to an A4 PDF. */
export interface PdfTemplate {
  content: string;
  helpers?: string | null;
}

/** Turns HTML templates into PDFs; one per worker process because Chromium start-up costs about a second. */
export interface PdfRenderer {
  render(template: PdfTemplate, data: unknown): Promise<Buffer>;
  close(): Promise<void>;
}
