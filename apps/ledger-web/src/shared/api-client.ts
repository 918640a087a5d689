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
 * as any other client, with the organisation's key as a bearer token. Its pages only read so far;
 * the first page that writes must send `Ledger-Min-Position` with the position its write answered
 * on the reads that follow, so that they see the write (decisions 024 and 030).
 */
export class ApiClient {
  constructor(
    private readonly apiKey: string,
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

  private async send(path: string, accept: string): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.apiKey}`, accept };
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
