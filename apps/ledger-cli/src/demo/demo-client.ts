/**
 * The demo talks to the ledger the way an integration would: over HTTP, with each organisation's own
 * key. It remembers the highest `Ledger-Position` its writes were answered with and sends it as
 * `Ledger-Min-Position` on every read, so a read after a write sees that write (decision 024).
 */
export type Json = Record<string, unknown>;

export class DemoRequestError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`${method} ${url} → ${status}: ${JSON.stringify(body)}`);
    this.name = 'DemoRequestError';
  }
}

export class DemoClient {
  private position = 0;
  requests = 0;

  constructor(readonly baseUrl: string) {}

  /** The highest log position a write of this client reached. */
  get headPosition(): number {
    return this.position;
  }

  /** A position a write reached that came in a body (a bulk item's) rather than in a header. */
  reached(position: number): void {
    if (Number.isSafeInteger(position) && position > this.position) this.position = position;
  }

  async post<T = Json>(url: string, key: string, body: unknown): Promise<T> {
    return this.send<T>('POST', url, key, body);
  }

  async get<T = Json>(url: string, key: string): Promise<T> {
    return this.send<T>('GET', url, key);
  }

  private async send<T>(method: 'GET' | 'POST', url: string, key: string, body?: unknown): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      this.requests += 1;
      const response = await fetch(`${this.baseUrl}${url}`, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(method === 'GET' && this.position > 0 ? { 'ledger-min-position': String(this.position) } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      const json: unknown = text ? JSON.parse(text) : {};
      // A ledger with the default rate limits (decision 028) may ask a fast seeder to wait: do as told.
      if (response.status === 429 && attempt < 20) {
        const wait = Number(response.headers.get('retry-after') ?? '1');
        await new Promise((resolve) => setTimeout(resolve, Math.max(1, Number.isFinite(wait) ? wait : 1) * 1000));
        continue;
      }
      if (!response.ok) throw new DemoRequestError(method, url, response.status, json);
      this.reached(Number(response.headers.get('ledger-position')));
      return json as T;
    }
  }
}
