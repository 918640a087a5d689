/**
 * Inputs the ledger can always carry (decision 020), over HTTP: business times, masses, list lengths
 * and free text beyond the ledger's bounds are refused with a specific 422 problem and append
 * nothing; bodies the server cannot decode are 415; Fastify's own refusals are problem details too;
 * and the OpenAPI document only shows examples the ledger accepts.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EARLIEST_OCCURRED_AT, MAX_BATCH_MASS_GRAMS, MAX_PROCESS_ITEMS, isPlainText } from '#domain';
import { LedgerHarness, type LedgerResponse, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';

type Problem = { type: string; status: number; code: string; title: string; detail: string };

describe('input bounds over HTTP (decision 020)', () => {
  let ledger: LedgerHarness;
  let municipality: RegisteredOrganisation;
  let sorter: RegisteredOrganisation;
  let recycler: RegisteredOrganisation;
  let batchId: string;
  let inTransitId: string;

  const collection = (extra: Record<string, unknown> = {}) => ({ kommuneCode: '0657', collectionScheme: 'kerbside', ewcCode: '20 01 11', massGrams: 50_000, collectorOrgId: sorter.id, ...extra });
  const collect = (extra: Record<string, unknown> = {}) => ledger.post<{ batchId: string }>('/batches/collections', collection(extra), municipality.key);

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    municipality = await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657');
    sorter = await ledger.registerOrganisation('Sortering A/S', ['sorter', 'collector']);
    recycler = await ledger.registerOrganisation('Fibre Loop ApS', ['recycler']);
    batchId = (await collect()).body.batchId;
    inTransitId = (await collect()).body.batchId;
    expect((await ledger.post(`/batches/${inTransitId}/dispatch`, { toOrgId: recycler.id }, sorter.key)).status).toBe(200);
  });
  afterAll(async () => {
    await ledger.close();
  });

  /** Sends the request and asserts a problem+json answer with this status and code, and that nothing was appended. */
  async function expectRefused(send: () => Promise<LedgerResponse<Problem>>, status: number, code: string): Promise<Problem> {
    const before = await ledger.store.headPosition();
    const response = await send();
    expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
    expect(String(response.headers['content-type'])).toContain('application/problem+json');
    expect(response.body.status).toBe(status);
    expect(response.body.type).toMatch(new RegExp(`/${code}$`));
    expect(await ledger.store.headPosition()).toBe(before);
    return response.body;
  }

  describe('the requests of the finding are refused and append nothing', () => {
    it('a collection dated 0999-12-31 is 422 time-before-earliest', async () => {
      const problem = await expectRefused(() => ledger.post<Problem>('/batches/collections', collection({ occurredAt: '0999-12-31T12:00:00Z' }), municipality.key), 422, 'time-before-earliest');
      expect(problem.detail).toContain(EARLIEST_OCCURRED_AT);
    });

    it('a collection of Number.MAX_SAFE_INTEGER grams is 422 mass-above-maximum', async () => {
      await expectRefused(() => ledger.post<Problem>('/batches/collections', collection({ massGrams: Number.MAX_SAFE_INTEGER }), municipality.key), 422, 'mass-above-maximum');
    });

    it('a collection of exactly the per-batch maximum is accepted', async () => {
      expect((await collect({ massGrams: MAX_BATCH_MASS_GRAMS })).status).toBe(201);
    });

    it('a dispatch dated 1900 of a batch collected today is 422, and one before the collection is too', async () => {
      await expectRefused(() => ledger.post<Problem>(`/batches/${batchId}/dispatch`, { toOrgId: recycler.id, occurredAt: '1900-01-01T00:00:00Z' }, sorter.key), 422, 'time-before-earliest');
      await expectRefused(() => ledger.post<Problem>(`/batches/${batchId}/dispatch`, { toOrgId: recycler.id, occurredAt: '2001-06-01T00:00:00Z' }, sorter.key), 422, 'time-before-previous-event');
    });

    it('a receipt dated before its dispatch is 422', async () => {
      await expectRefused(() => ledger.post<Problem>(`/batches/${inTransitId}/receive`, { receivedMassGrams: 50_000, occurredAt: '2020-01-01T00:00:00Z' }, recycler.key), 422, 'time-before-previous-event');
    });
  });

  describe('lists and free text', () => {
    it(`a process with ${MAX_PROCESS_ITEMS + 1} outputs is 422 too-many-items`, async () => {
      const outputs = Array.from({ length: MAX_PROCESS_ITEMS + 1 }, () => ({ massGrams: 1, grade: 'reuse', composition: [{ fibre: 'unknown', share: 10_000 }] }));
      await expectRefused(() => ledger.post<Problem>('/processes', { processType: 'sorting', inputs: [{ batchId }], outputs }, sorter.key), 422, 'too-many-items');
    });

    it.each([
      ['a line break in a residual description', () => ledger.post<Problem>('/batches/residuals', { originClass: 'pre-consumer', ewcCode: '04 02 22', massGrams: 5_000, composition: [{ fibre: 'cotton', share: 10_000 }], description: 'offcuts\nmore' }, sorter.key)],
      ['a right-to-left override in a transport document', () => ledger.post<Problem>(`/batches/${batchId}/dispatch`, { toOrgId: recycler.id, transportDocument: 'CMR \u202e4321' }, sorter.key)],
      ['a NUL in a cancellation reason', () => ledger.post<Problem>(`/batches/${inTransitId}/cancel-transfer`, { reason: 'wrong\u0000address' }, sorter.key)],
      ['an isolate in an organisation name', () => ledger.post<Problem>('/organisations', { name: 'Evil \u2067Corp', roles: ['sorter'] })],
    ])('%s is 422 text-not-plain', async (_name, send) => {
      await expectRefused(send, 422, 'text-not-plain');
    });
  });

  describe('bodies the server cannot read', () => {
    const raw = (headers: Record<string, string>, payload: string | Buffer) =>
      ledger.app.inject({ method: 'POST', url: '/batches/collections', headers: { authorization: `Bearer ${municipality.key}`, ...headers }, payload });
    const asProblem = async (send: () => ReturnType<typeof raw>): Promise<LedgerResponse<Problem>> => {
      const response = await send();
      return { status: response.statusCode, headers: response.headers, body: JSON.parse(response.body) as Problem };
    };
    const body = () => JSON.stringify(collection());

    it.each(['gzip', 'br', 'deflate', 'compress'])('a body with Content-Encoding %s is 415 unsupported-content-encoding', async (encoding) => {
      const payload = encoding === 'gzip' ? gzipSync(body()) : body();
      await expectRefused(() => asProblem(() => raw({ 'content-type': 'application/json', 'content-encoding': encoding }, payload)), 415, 'unsupported-content-encoding');
    });

    it.each(['iso-8859-1', 'utf-16', 'windows-1252'])('a body in charset %s is 415 unsupported-charset', async (charset) => {
      await expectRefused(() => asProblem(() => raw({ 'content-type': `application/json; charset=${charset}` }, body())), 415, 'unsupported-charset');
    });

    it('a body declared utf-8 (in any spelling) or identity-encoded is accepted', async () => {
      expect((await raw({ 'content-type': 'application/json; charset=UTF-8' }, body())).statusCode).toBe(201);
      expect((await raw({ 'content-type': 'application/json;charset="utf-8"' }, body())).statusCode).toBe(201);
      expect((await raw({ 'content-type': 'application/json', 'content-encoding': 'identity' }, body())).statusCode).toBe(201);
    });
  });

  describe("Fastify's own refusals are problem details", () => {
    const send = async (options: { method?: 'GET' | 'POST'; url?: string; headers?: Record<string, string>; payload?: string }): Promise<LedgerResponse<Problem>> => {
      const response = await ledger.app.inject({
        method: options.method ?? 'POST',
        url: options.url ?? '/batches/collections',
        headers: { authorization: `Bearer ${municipality.key}`, ...options.headers },
        ...(options.payload !== undefined ? { payload: options.payload } : {}),
      });
      expect(response.headers['content-type']).toContain('application/problem+json');
      return { status: response.statusCode, headers: response.headers, body: JSON.parse(response.body) as Problem };
    };

    it('414 for a request target over the limit', async () => {
      const response = await send({ method: 'GET', url: `/batches?q=${'x'.repeat(ledger.config.limits.maxUrlLength)}` });
      expect(response.status).toBe(414);
      expect(response.body.status).toBe(414);
    });

    it('413 for a body over the limit', async () => {
      const response = await send({ headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ description: 'x'.repeat(ledger.config.limits.bodyLimitBytes) }) });
      expect(response.status).toBe(413);
      expect(response.body.code).toBe('body-too-large');
    });

    it('400 for malformed JSON', async () => {
      const response = await send({ headers: { 'content-type': 'application/json' }, payload: '{"kommuneCode": ' });
      expect(response.status).toBe(400);
      expect(response.body.status).toBe(400);
    });

    it('415 for a media type the server does not parse', async () => {
      const response = await send({ headers: { 'content-type': 'application/xml' }, payload: '<collection/>' });
      expect(response.status).toBe(415);
      expect(response.body.code).toBe('unsupported-media-type');
    });

    it('404 for an unknown route', async () => {
      const response = await send({ method: 'GET', url: '/no-such-route' });
      expect(response.status).toBe(404);
      expect(response.body.status).toBe(404);
    });
  });

  describe('the OpenAPI document', () => {
    /** Every `example` in the document, with the JSON path it sits at. */
    function examplesIn(node: unknown, path: string, found: Array<{ path: string; example: unknown }>): Array<{ path: string; example: unknown }> {
      if (Array.isArray(node)) node.forEach((item, index) => examplesIn(item, `${path}[${index}]`, found));
      else if (typeof node === 'object' && node !== null) {
        for (const [key, value] of Object.entries(node)) {
          if (key === 'example') found.push({ path, example: value });
          else examplesIn(value, `${path}.${key}`, found);
        }
      }
      return found;
    }

    /** Masses, business times and text in an example, at any depth. */
    function leaves(value: unknown, key: string, visit: (key: string, value: unknown) => void): void {
      if (Array.isArray(value)) value.forEach((item) => leaves(item, key, visit));
      else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) leaves(v, k, visit);
      else visit(key, value);
    }

    it('shows a realistic example for every command body, each within the bounds', async () => {
      const document = (await ledger.get<{ paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: unknown }> } }>> }>('/docs-json')).body;
      const bodies = Object.entries(document.paths).flatMap(([path, operations]) =>
        Object.entries(operations).flatMap(([method, operation]) =>
          // A JSON body, or else the one a route takes (a spreadsheet as text/csv).
          operation.requestBody ? [{ at: `${method.toUpperCase()} ${path}`, schema: (operation.requestBody.content['application/json'] ?? Object.values(operation.requestBody.content)[0])?.schema }] : [],
        ),
      );
      expect(bodies.length).toBeGreaterThan(10);
      for (const { at, schema } of bodies) {
        const examples = examplesIn(schema, at, []);
        expect({ at, hasExample: examples.length > 0 }).toEqual({ at, hasExample: true });
        for (const { path, example } of examples) {
          leaves(example, '', (key, value) => {
            if (/massGrams$/i.test(key)) expect({ path, key, ok: typeof value === 'number' && value > 0 && value <= MAX_BATCH_MASS_GRAMS }).toEqual({ path, key, ok: true });
            if (key === 'occurredAt') expect({ path, ok: typeof value === 'string' && Date.parse(value) >= Date.parse(EARLIEST_OCCURRED_AT) && Date.parse(value) <= Date.now() }).toEqual({ path, ok: true });
            // A CSV example is lines of plain text: its line breaks are the format's, not a payload's.
            if (typeof value === 'string') expect({ path, key, plain: value.split(/\r?\n/).every(isPlainText) }).toEqual({ path, key, plain: true });
          });
        }
      }
      expect(JSON.stringify(document)).not.toContain(String(Number.MAX_SAFE_INTEGER));
    });
  });
});
