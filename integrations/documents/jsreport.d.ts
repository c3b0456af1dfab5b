// jsreport ships no type definitions; only what Relais calls is declared.
declare module '@jsreport/jsreport-core' {
  interface JsreportRenderResponse {
    content: Buffer;
    meta: Record<string, unknown>;
  }
  interface JsreportInstance {
    use(extension: unknown): JsreportInstance;
    init(): Promise<JsreportInstance>;
    render(request: { template: Record<string, unknown>; data?: unknown }): Promise<JsreportRenderResponse>;
    close(): Promise<void>;
  }
  function createJsreport(options?: Record<string, unknown>): JsreportInstance;
  export default createJsreport;
}
declare module '@jsreport/jsreport-handlebars' {
  export default function handlebars(options?: Record<string, unknown>): unknown;
}
declare module '@jsreport/jsreport-chrome-pdf' {
  export default function chromePdf(options?: Record<string, unknown>): unknown;
}
