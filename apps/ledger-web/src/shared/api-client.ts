/** An RFC 9457 problem the API answered with, or a failure to reach it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

interface Problem {
  readonly title?: string;
  readonly detail?: string;
  readonly code?: string;
}

/**
 * The application's only way to the ledger: plain HTTP to the same origin, through the same guard
 * as any other client, with the organisation's key or the identity provider's access token as a
 * bearer token (none for the few public reads before sign-in). Its pages only read so far;
 * the first page that writes must send `Ledger-Min-Position` with the position its write answered
 * on the reads that follow, so that they see the write (decisions 024 and 030).
 */
export class ApiClient {
  /** The log position this client's last write reached; its reads wait for it (decision 024). */
  private minPosition: number | undefined;

  constructor(
    private readonly apiKey: string | null,
    private readonly baseUrl = '',
  ) {}

  async getJson<T>(path: string): Promise<T> {
    const response = await this.send(path, 'application/json');
    return (await response.json()) as T;
  }

  async getBlob(path: string, accept: string): Promise<Blob> {
    const response = await this.send(path, accept);
    return response.blob();
  }

  /**
   * Sends a CSV file (the import page, decision 038). A write: every later read of this client sends
   * the position it answered as `Ledger-Min-Position`, so that it sees what was written.
   */
  async postCsv(path: string, file: Blob, accept: 'application/json' | 'text/csv'): Promise<Response> {
    const headers: Record<string, string> = { ...(this.apiKey !== null ? { authorization: `Bearer ${this.apiKey}` } : {}), accept, 'content-type': 'text/csv' };
    const response = await fetch(`${this.baseUrl}${path}`, { method: 'POST', headers, body: file, credentials: 'omit', cache: 'no-store' });
    if (!response.ok) throw await problemOf(response);
    const position = response.headers.get('ledger-position');
    if (position !== null && /^\d+$/.test(position)) this.minPosition = Math.max(this.minPosition ?? 0, Number(position));
    return response;
  }

  /**
   * Sends a JSON command (the sites page, decision 039) and answers its JSON. A write, like postCsv:
   * later reads of this client wait for the position it answered.
   */
  async postJson<T>(path: string, body: unknown): Promise<T> {
    const headers: Record<string, string> = { ...(this.apiKey !== null ? { authorization: `Bearer ${this.apiKey}` } : {}), accept: 'application/json', 'content-type': 'application/json' };
    const response = await fetch(`${this.baseUrl}${path}`, { method: 'POST', headers, body: JSON.stringify(body), credentials: 'omit', cache: 'no-store' });
    if (!response.ok) throw await problemOf(response);
    const position = response.headers.get('ledger-position');
    if (position !== null && /^\d+$/.test(position)) this.minPosition = Math.max(this.minPosition ?? 0, Number(position));
    return (await response.json()) as T;
  }

  /**
   * Opens a server-sent events stream and answers its body as it arrives (the catalogue's live
   * matches, decision 046). EventSource cannot send the bearer token, so this is a fetch whose body
   * is read chunk by chunk; aborting the signal ends it.
   */
  async eventStream(path: string, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    const headers: Record<string, string> = { ...(this.apiKey !== null ? { authorization: `Bearer ${this.apiKey}` } : {}), accept: 'text/event-stream' };
    const response = await fetch(`${this.baseUrl}${path}`, { headers, credentials: 'omit', cache: 'no-store', signal });
    if (!response.ok) throw await problemOf(response);
    if (!response.body) throw new ApiError(response.status, undefined, 'the stream has no body');
    return response.body;
  }

  private async send(path: string, accept: string): Promise<Response> {
    const headers: Record<string, string> = {
      ...(this.apiKey !== null ? { authorization: `Bearer ${this.apiKey}` } : {}),
      accept,
      ...(this.minPosition !== undefined ? { 'ledger-min-position': String(this.minPosition) } : {}),
    };
    const response = await fetch(`${this.baseUrl}${path}`, { headers, credentials: 'omit', cache: 'no-store' });
    if (!response.ok) throw await problemOf(response);
    return response;
  }
}

async function problemOf(response: Response): Promise<ApiError> {
  let problem: Problem = {};
  try {
    problem = (await response.json()) as Problem;
  } catch {
    // Not a problem document (a proxy's page): the status alone says enough.
  }
  return new ApiError(response.status, problem.code, problem.detail ?? problem.title ?? `HTTP ${response.status}`);
}

export const path = (strings: TemplateStringsArray, ...values: (string | number)[]): string =>
  strings.reduce((built, part, index) => built + part + (index < values.length ? encodeURIComponent(String(values[index])) : ''), '');
