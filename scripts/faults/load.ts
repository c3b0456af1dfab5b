/** One request a citizen sent during the fault test, and what the web answered. */
export interface Filing {
  /** Unique in the run: how the request is found in the database whatever the answer was. */
  subject: string;
  phase: string;
  email?: string;
  phone?: string;
  /** When it was sent (epoch ms). */
  sentAt: number;
  /** How long the citizen waited for the answer or the failure (ms). */
  waitedMs: number;
  /** The HTTP status, or 0 when the connection failed or was cut before any answer. */
  status: number;
  reference?: string;
}

/** Citizens filing requests through the public API at a fixed rate, whatever the answers (open loop). */
export class CitizenLoad {
  private readonly filings: Array<Promise<Filing>> = [];
  private counter = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly runId: string,
    /** Every n-th citizen asks for an SMS acknowledgement instead of an e-mail. */
    private readonly smsEvery: number,
  ) {}

  /** Files `rate` requests a second for `durationMs`; resolves once every answer (or failure) is in. */
  async run(phase: string, rate: number, durationMs: number): Promise<Filing[]> {
    const start = this.filings.length;
    const count = Math.round((durationMs / 1000) * rate);
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      const wait = started + (i * 1000) / rate - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      this.filings.push(this.file(phase, this.counter++));
    }
    return Promise.all(this.filings.slice(start));
  }

  private async file(phase: string, n: number): Promise<Filing> {
    const subject = `Panne ${this.runId} n°${n}`;
    const bySms = n % this.smsEvery === this.smsEvery - 1;
    // E.164 numbers of a mobile block the run has alone; the SMSC simulator counts what each one receives.
    const contact = bySms ? { phone: `+3376${String(n).padStart(7, '0')}` } : { email: `panne-${this.runId}-${n}@faults.test` };
    const filing: Filing = { subject, phase, ...contact, sentAt: Date.now(), waitedMs: 0, status: 0 };
    try {
      const response = await fetch(`${this.baseUrl}/api/v1/t/demo/requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ topic: 'question', subject, message: 'Bonjour, ceci est une demande envoyée pendant un test de panne.', contact, ...(bySms ? { channel: 'sms' } : {}) }),
      });
      filing.status = response.status;
      const body = (await response.json().catch(() => ({}))) as { reference?: string };
      filing.reference = body.reference;
    } catch {
      // Connection refused or cut: the citizen got no answer at all.
    }
    filing.waitedMs = Date.now() - filing.sentAt;
    return filing;
  }
}

/** An agent of the demo's reception department, answering requests through the console API. */
export class Agent {
  private constructor(
    private readonly baseUrl: string,
    private readonly cookie: string,
  ) {}

  static async login(baseUrl: string, email: string, password: string): Promise<Agent> {
    const response = await fetch(`${baseUrl}/api/v1/t/demo/agent/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: baseUrl, 'sec-fetch-site': 'same-origin' },
      body: JSON.stringify({ email, password }),
    });
    if (response.status !== 204) throw new Error(`The agent ${email} could not log in: HTTP ${response.status} ${await response.text()}`);
    return new Agent(baseUrl, response.headers.get('set-cookie')!.split(';')[0]);
  }

  /** Sends an answer; the HTTP status, or 0 when the connection failed. */
  async answer(reference: string): Promise<number> {
    try {
      const response = await fetch(`${this.baseUrl}/api/v1/t/demo/agent/requests/${reference}/actions/answer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: this.baseUrl, 'sec-fetch-site': 'same-origin', cookie: this.cookie },
        body: JSON.stringify({ body: 'Bonjour, voici la réponse de la mairie à votre question.' }),
      });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 0;
    }
  }
}
