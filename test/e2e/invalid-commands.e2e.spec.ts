import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LedgerHarness, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';

const UNKNOWN = '01900000-0000-7000-8000-000000000000';

/** Every command refuses bad input with a specific 4xx problem and appends nothing. */
describe('invalid commands', () => {
  let ledger: LedgerHarness;
  let municipality: RegisteredOrganisation;
  let sorter: RegisteredOrganisation;
  let other: RegisteredOrganisation;
  let batchId: string;
  let inTransitId: string;

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    municipality = await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657');
    sorter = await ledger.registerOrganisation('Sorter', ['sorter', 'collector']);
    other = await ledger.registerOrganisation('Other', ['recycler']);
    const collect = (massGrams: number) =>
      ledger.post<{ batchId: string }>('/batches/collections', { kommuneCode: '0657', collectionScheme: 'kerbside', ewcCode: '20 01 11', massGrams, collectorOrgId: sorter.id }, municipality.key);
    batchId = (await collect(50_000)).body.batchId;
    inTransitId = (await collect(10_000)).body.batchId;
    expect((await ledger.post(`/batches/${inTransitId}/dispatch`, { toOrgId: other.id }, sorter.key)).status).toBe(200);
  });
  afterAll(async () => {
    await ledger.close();
  });

  const future = () => new Date(Date.now() + 3_600_000).toISOString();
  const composition = [{ fibre: 'cotton', share: 10_000 }];

  const cases: Array<[string, () => { url: string; body: unknown; key: () => string }, number, string]> = [
    ['collect: unknown kommune', () => ({ url: '/batches/collections', body: { kommuneCode: '9999', collectionScheme: 'kerbside', ewcCode: '20 01 11', massGrams: 1, collectorOrgId: sorter.id }, key: () => sorter.key }), 422, 'unknown-kommune'],
    ['collect: fractional grams', () => ({ url: '/batches/collections', body: { kommuneCode: '0657', collectionScheme: 'kerbside', ewcCode: '20 01 11', massGrams: 1.5 }, key: () => sorter.key }), 400, 'invalid-body'],
    ['collect: negative mass', () => ({ url: '/batches/collections', body: { kommuneCode: '0657', collectionScheme: 'kerbside', ewcCode: '20 01 11', massGrams: -5 }, key: () => sorter.key }), 400, 'invalid-body'],
    ['collect: unknown EWC code', () => ({ url: '/batches/collections', body: { kommuneCode: '0657', collectionScheme: 'kerbside', ewcCode: '99 99 99', massGrams: 5 }, key: () => sorter.key }), 400, 'invalid-body'],
    ['collect: in the future', () => ({ url: '/batches/collections', body: { kommuneCode: '0657', collectionScheme: 'kerbside', ewcCode: '20 01 11', massGrams: 5, occurredAt: future() }, key: () => sorter.key }), 422, 'time-in-future'],
    ['collect: another kommune’s municipality', () => ({ url: '/batches/collections', body: { kommuneCode: '0661', collectionScheme: 'kerbside', ewcCode: '20 01 11', massGrams: 5, collectorOrgId: sorter.id }, key: () => municipality.key }), 403, 'not-collecting-party'],
    ['collect: unexpected field', () => ({ url: '/batches/collections', body: { kommuneCode: '0657', collectionScheme: 'kerbside', ewcCode: '20 01 11', massGrams: 5, colour: 'red' }, key: () => sorter.key }), 400, 'invalid-body'],
    ['residual: shares not 10,000', () => ({ url: '/batches/residuals', body: { originClass: 'pre-consumer', ewcCode: '04 02 22', massGrams: 5, composition: [{ fibre: 'cotton', share: 9_000 }], description: 'offcuts' }, key: () => sorter.key }), 400, 'invalid-body'],
    ['residual: unknown fibre', () => ({ url: '/batches/residuals', body: { originClass: 'pre-consumer', ewcCode: '04 02 22', massGrams: 5, composition: [{ fibre: 'hemp', share: 10_000 }], description: 'offcuts' }, key: () => sorter.key }), 400, 'invalid-body'],
    ['dispatch: not the custodian', () => ({ url: `/batches/${batchId}/dispatch`, body: { toOrgId: other.id }, key: () => other.key }), 403, 'not-custodian'],
    ['dispatch: unknown batch', () => ({ url: `/batches/${UNKNOWN}/dispatch`, body: { toOrgId: other.id }, key: () => sorter.key }), 404, 'unknown-batch'],
    ['dispatch: unknown consignee', () => ({ url: `/batches/${batchId}/dispatch`, body: { toOrgId: UNKNOWN }, key: () => sorter.key }), 404, 'unknown-organisation'],
    ['dispatch: batch in transit', () => ({ url: `/batches/${inTransitId}/dispatch`, body: { toOrgId: municipality.id }, key: () => sorter.key }), 409, 'batch-not-available'],
    ['dispatch: malformed batch id', () => ({ url: '/batches/not-a-uuid/dispatch', body: { toOrgId: other.id }, key: () => sorter.key }), 400, 'invalid-body'],
    ['receive: not the consignee', () => ({ url: `/batches/${inTransitId}/receive`, body: { receivedMassGrams: 10_000 }, key: () => municipality.key }), 403, 'not-consignee'],
    ['receive: not in transit', () => ({ url: `/batches/${batchId}/receive`, body: { receivedMassGrams: 10_000 }, key: () => sorter.key }), 409, 'not-in-transit'],
    ['cancel: not a party', () => ({ url: `/batches/${inTransitId}/cancel-transfer`, body: { reason: 'x' }, key: () => municipality.key }), 403, 'not-party-to-transfer'],
    ['cancel: empty reason', () => ({ url: `/batches/${inTransitId}/cancel-transfer`, body: { reason: '' }, key: () => sorter.key }), 400, 'invalid-body'],
    ['process: mass does not balance', () => ({ url: '/processes', body: { processType: 'sorting', inputs: [{ batchId }], outputs: [{ massGrams: 49_999, grade: 'reuse', composition }] }, key: () => sorter.key }), 422, 'mass-does-not-balance'],
    ['process: not custodian of input', () => ({ url: '/processes', body: { processType: 'sorting', inputs: [{ batchId }], outputs: [{ massGrams: 50_000, grade: 'reuse', composition }] }, key: () => other.key }), 403, 'not-custodian'],
    ['process: input in transit', () => ({ url: '/processes', body: { processType: 'sorting', inputs: [{ batchId: inTransitId }], outputs: [{ massGrams: 10_000, grade: 'reuse', composition }] }, key: () => sorter.key }), 409, 'batch-not-available'],
    ['process: unknown input', () => ({ url: '/processes', body: { processType: 'sorting', inputs: [{ batchId: UNKNOWN }], outputs: [{ massGrams: 1, grade: 'reuse', composition }] }, key: () => sorter.key }), 404, 'unknown-batch'],
    ['process: unknown type', () => ({ url: '/processes', body: { processType: 'melting', inputs: [{ batchId }], outputs: [{ massGrams: 50_000, grade: 'reuse', composition }] }, key: () => sorter.key }), 400, 'invalid-body'],
    ['process: product without application', () => ({ url: '/processes', body: { processType: 'manufacturing', inputs: [{ batchId }], outputs: [{ massGrams: 50_000, grade: 'product', composition }] }, key: () => sorter.key }), 422, 'product-needs-application'],
    ['process: same batch twice', () => ({ url: '/processes', body: { processType: 'blending', inputs: [{ batchId }, { batchId }], outputs: [{ massGrams: 100_000, grade: 'recycling', composition }] }, key: () => sorter.key }), 422, 'duplicate-batch'],
    ['outcome: not the custodian', () => ({ url: `/batches/${batchId}/outcome`, body: { outcome: 'landfilled' }, key: () => other.key }), 403, 'not-custodian'],
    ['outcome: unknown outcome', () => ({ url: `/batches/${batchId}/outcome`, body: { outcome: 'composted' }, key: () => sorter.key }), 400, 'invalid-body'],
    ['outcome: export without country', () => ({ url: `/batches/${batchId}/outcome`, body: { outcome: 'exported', purpose: 'reuse' }, key: () => sorter.key }), 400, 'invalid-body'],
    ['outcome: placing a non-product on the market', () => ({ url: `/batches/${batchId}/outcome`, body: { outcome: 'placed-on-market', market: 'domestic' }, key: () => sorter.key }), 422, 'not-a-product'],
    ['correction: names the wrong event', () => ({ url: `/batches/${batchId}/mass-corrections`, body: { correctedEventId: UNKNOWN, massGrams: 49_000, reason: 'scale error' }, key: () => sorter.key }), 422, 'not-the-mass-event'],
    ['organisation: not the operator', () => ({ url: '/organisations', body: { name: 'X', roles: ['sorter'] }, key: () => sorter.key }), 403, 'operator-only'],
    ['organisation: bad CVR', () => ({ url: '/organisations', body: { name: 'X', roles: ['sorter'], cvr: '12345678' }, key: () => ledger.operatorKey }), 400, 'invalid-body'],
    ['organisation: municipality without kommune', () => ({ url: '/organisations', body: { name: 'X', roles: ['municipality'] }, key: () => ledger.operatorKey }), 422, 'kommune-required'],
    ['organisation: unknown role', () => ({ url: '/organisations', body: { name: 'X', roles: ['wizard'] }, key: () => ledger.operatorKey }), 400, 'invalid-body'],
  ];

  it.each(cases.map(([name, build, status, code]) => [`${name} → ${status} ${code}`, build, status, code] as const))('%s, nothing appended', async (_name, build, status, code) => {
    const { url, body, key } = build();
    const before = await ledger.store.headPosition();
    const response = await ledger.post<{ status: number; code: string; title: string; detail: string }>(url, body, key());
    expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
    expect(String(response.headers['content-type'])).toContain('application/problem+json');
    expect(response.body.status).toBe(status);
    expect(response.body.detail.length).toBeGreaterThan(5);
    expect(await ledger.store.headPosition()).toBe(before);
  });

  it('refuses malformed JSON with a 400 problem', async () => {
    const response = await ledger.app.inject({ method: 'POST', url: '/batches/collections', headers: { authorization: `Bearer ${sorter.key}`, 'content-type': 'application/json' }, payload: '{"kommuneCode": ' });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
  });

  it('refuses a body over 1 MiB with a 413 problem and a non-JSON body with a 4xx problem', async () => {
    const big = await ledger.app.inject({ method: 'POST', url: '/batches/residuals', headers: { authorization: `Bearer ${sorter.key}`, 'content-type': 'application/json' }, payload: JSON.stringify({ description: 'x'.repeat(1_100_000) }) });
    expect(big.statusCode).toBe(413);
    expect(big.headers['content-type']).toContain('application/problem+json');
    const text = await ledger.app.inject({ method: 'POST', url: '/batches/collections', headers: { authorization: `Bearer ${sorter.key}`, 'content-type': 'text/plain' }, payload: 'hello' });
    // Nest parses text/plain itself, so the string then fails validation (400); Fastify alone says 415.
    expect([400, 415]).toContain(text.statusCode);
    expect(text.headers['content-type']).toContain('application/problem+json');
  });

  it('refuses requests without or with bad credentials with 401 problems, but serves /health', async () => {
    const missing = await ledger.request('GET', '/organisations', { key: null });
    expect(missing.status).toBe(401);
    const malformed = await ledger.request('GET', '/organisations', { key: null, headers: { authorization: 'Basic abc' } });
    expect(malformed.status).toBe(401);
    const unknown = await ledger.request('GET', '/organisations', { key: 'tl_000000000000_this-key-was-never-issued-anywhere' });
    expect(unknown.status).toBe(401);
    expect((await ledger.request('GET', '/health', { key: null })).status).toBe(200);
  });
});
