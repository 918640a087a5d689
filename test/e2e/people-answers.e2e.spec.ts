/**
 * Answers for people (decision 034): who am I (`GET /me`), organisation names beside their ids, and
 * rates as exact percentages beside the exact fractions. Expectations come from the scenario built
 * here and from an independent computation in the test (decimal arithmetic on the integer grams),
 * never from the implementation.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { LedgerHarness, type LedgerResponse } from '../fixtures/ledger-harness.js';

// ajv-formats is CommonJS: its default export arrives wrapped under ES modules.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

type Json = Record<string, unknown>;

interface Org {
  readonly id: string;
  readonly key: string;
  readonly keyId: string;
  readonly name: string;
}

const KOMMUNE = '0657';
const COTTON_POLY = [
  { fibre: 'cotton', share: 6_543 },
  { fibre: 'polyester', share: 3_457 },
];

let ledger: LedgerHarness;
const orgs = {} as Record<'municipality' | 'collector' | 'sorter' | 'rival' | 'recycler' | 'auditor', Org>;
let collected: string;
let shortDelivery: string;
let outputs: string[];
let processId: string;

function ok<T = Json>(r: LedgerResponse<unknown>, status = 200): T {
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status} ${JSON.stringify(r.body).slice(0, 400)}`);
  return r.body as T;
}

async function register(name: string, roles: string[], kommuneCode?: string): Promise<Org> {
  const body = ok<{ organisationId: string; apiKey: string; apiKeyId: string }>(
    await ledger.post('/organisations', { name, roles, ...(kommuneCode ? { kommuneCode } : {}) }),
    201,
  );
  return { id: body.organisationId, key: body.apiKey, keyId: body.apiKeyId, name };
}

/**
 * part/whole in percent with two decimals, rounded half to even: hundredths of a percent are
 * ten-thousandths of the whole, counted by integer division and rounded on the remainder.
 */
function expectedPercent(part: bigint, whole: bigint): string | null {
  if (whole === 0n) return null;
  const negative = part < 0n;
  const p = negative ? -part : part;
  let hundredths = (p * 10_000n) / whole;
  const remainder = (p * 10_000n) % whole;
  const twice = remainder * 2n;
  if (twice > whole || (twice === whole && hundredths % 2n === 1n)) hundredths += 1n;
  const text = `${hundredths / 100n}.${String(hundredths % 100n).padStart(2, '0')}`;
  return negative && hundredths !== 0n ? `-${text}` : text;
}

describe('answers for people', () => {
  beforeAll(async () => {
    ledger = await LedgerHarness.start({ env: { LEDGER_PROJECTIONS: 'in-process' } });
    orgs.municipality = await register('Herning Kommune', ['municipality'], KOMMUNE);
    orgs.collector = await register('Genbrug Herning ApS', ['collector']);
    orgs.sorter = await register('Sortering Midtjylland A/S', ['sorter']);
    orgs.rival = await register('Konkurrent Sortering ApS', ['sorter']);
    orgs.recycler = await register('Fiber Genvinding A/S', ['recycler']);
    orgs.auditor = await register('Revisionsfirma Jylland', ['auditor']);
    ok(await ledger.post(`/organisations/${orgs.municipality.id}/collector-authorisations`, { collectorOrgId: orgs.collector.id }, orgs.municipality.key), 201);

    const collect = async (massGrams: number) =>
      ok<{ batchId: string }>(
        await ledger.post('/batches/collections', { kommuneCode: KOMMUNE, collectionScheme: 'bring-bank', ewcCode: '20 01 11', massGrams, collectorOrgId: orgs.collector.id }, orgs.collector.key),
        201,
      ).batchId;
    collected = await collect(300_007);
    shortDelivery = await collect(100_000);
    for (const batchId of [collected, shortDelivery]) ok(await ledger.post(`/batches/${batchId}/dispatch`, { toOrgId: orgs.sorter.id }, orgs.collector.key));
    ok(await ledger.post(`/batches/${collected}/receive`, { receivedMassGrams: 300_007 }, orgs.sorter.key));
    // 6 % short: a transit discrepancy naming both parties.
    ok(await ledger.post(`/batches/${shortDelivery}/receive`, { receivedMassGrams: 94_000 }, orgs.sorter.key));

    const process = ok<{ processId: string; outputBatchIds: string[] }>(
      await ledger.post(
        '/processes',
        {
          processType: 'sorting',
          inputs: [{ batchId: collected }],
          outputs: [
            { massGrams: 200_001, grade: 'reuse', composition: COTTON_POLY },
            { massGrams: 90_003, grade: 'recycling', composition: COTTON_POLY },
          ],
          losses: [{ kind: 'process-waste', massGrams: 10_003 }],
        },
        orgs.sorter.key,
      ),
      201,
    );
    processId = process.processId;
    outputs = process.outputBatchIds;
    ok(await ledger.post(`/batches/${outputs[1]}/dispatch`, { toOrgId: orgs.recycler.id }, orgs.sorter.key));
    ok(await ledger.post(`/batches/${outputs[1]}/receive`, { receivedMassGrams: 90_003 }, orgs.recycler.key));
    ok(await ledger.post(`/batches/${outputs[0]}/outcome`, { outcome: 'sold-for-reuse', market: 'domestic' }, orgs.sorter.key));
  }, 120_000);

  afterAll(async () => {
    await ledger?.close();
  }, 60_000);

  describe('GET /me', () => {
    it('answers each organisation with its own facts, the key it used and the pages it may use', async () => {
      const me = ok<Json>(await ledger.get('/me', orgs.municipality.key));
      expect(me).toEqual({
        organisationId: orgs.municipality.id,
        name: 'Herning Kommune',
        roles: ['municipality'],
        kommuneCode: KOMMUNE,
        kommuneName: 'Herning',
        operator: false,
        auditor: false,
        readScope: 'organisation',
        authentication: { method: 'api-key', keyId: orgs.municipality.keyId },
        impersonation: null,
        pages: [
          { page: 'home', href: '#/' },
          { page: 'batches', href: '#/batches' },
          { page: 'organisation', href: `#/organisations/${orgs.municipality.id}` },
          { page: 'municipality', href: `#/municipality/${KOMMUNE}` },
          { page: 'audit', href: '#/audit' },
        ],
      });
      const sorter = ok<Json>(await ledger.get('/me', orgs.sorter.key));
      expect(sorter).toMatchObject({ organisationId: orgs.sorter.id, name: orgs.sorter.name, kommuneCode: null, operator: false, auditor: false });
      expect((sorter['pages'] as Array<{ page: string }>).map((p) => p.page)).toEqual(['home', 'batches', 'organisation', 'audit']);
    });

    it('tells auditors and the operator apart, and gives both the pages that read everything', async () => {
      const auditor = ok<Json>(await ledger.get('/me', orgs.auditor.key));
      expect(auditor).toMatchObject({ auditor: true, operator: false, readScope: 'all' });
      const operator = ok<Json>(await ledger.get('/me'));
      expect(operator).toMatchObject({ auditor: false, operator: true, readScope: 'all', authentication: { method: 'api-key' } });
      for (const answer of [auditor, operator]) {
        expect((answer['pages'] as Array<{ page: string }>).map((p) => p.page)).toEqual(['home', 'batches', 'organisation', 'municipality', 'audit', 'operator']);
      }
    });

    it('under impersonation answers the impersonated organisation and names the operator behind it', async () => {
      const reason = 'support ticket 4711: the sorter cannot see its stock';
      const r = await ledger.request<Json>('GET', '/me', { headers: { 'ledger-impersonate': orgs.sorter.id, 'ledger-impersonation-reason': reason } });
      const me = ok<Json>(r);
      const operator = ok<Json>(await ledger.get('/me'));
      expect(me).toMatchObject({ organisationId: orgs.sorter.id, name: orgs.sorter.name, operator: false, readScope: 'organisation' });
      expect(me['impersonation']).toEqual({ operatorOrgId: operator['organisationId'], operatorOrgName: operator['name'], reason });
    });

    it('refuses a request without credentials with a 401 problem', async () => {
      const r = await ledger.request<Json>('GET', '/me', { key: null });
      expect(r.status).toBe(401);
      expect(String(r.headers['content-type'])).toContain('application/problem+json');
      expect(r.body).toMatchObject({ status: 401, code: 'missing-credentials' });
    });
  });

  describe('names beside ids', () => {
    let names: Map<string, string>;
    beforeAll(async () => {
      const list = ok<Array<{ organisationId: string; name: string }>>(await ledger.get('/organisations', orgs.rival.key));
      names = new Map(list.map((o) => [o.organisationId, o.name]));
    });

    it('names the custodian, owner and collector of a batch, in the summary and the list', async () => {
      const batch = ok<Json>(await ledger.get(`/batches/${shortDelivery}`, orgs.sorter.key));
      expect(batch).toMatchObject({
        custodianOrgId: orgs.sorter.id,
        custodianOrgName: names.get(orgs.sorter.id),
        ownerOrgId: orgs.sorter.id,
        ownerOrgName: orgs.sorter.name,
        origin: { kind: 'collected', collectorOrgId: orgs.collector.id, collectorOrgName: orgs.collector.name },
      });
      const page = ok<{ items: Json[] }>(await ledger.get(`/batches?custodianOrgId=${orgs.recycler.id}`, orgs.recycler.key));
      expect(page.items.map((b) => [b['batchId'], b['custodianOrgName'], b['ownerOrgName']])).toEqual([[outputs[1], orgs.recycler.name, orgs.recycler.name]]);
    });

    it('names every holder of a custody period and the consignee of each shipment', async () => {
      const custody = ok<{ periods: Json[]; currentCustodianOrgName: string }>(await ledger.get(`/batches/${outputs[1]}/custody`, orgs.recycler.key));
      expect(custody.periods.map((p) => [p['organisationName'], p['ownerOrgName'], (p['shipment'] as Json | null)?.['toOrgName'] ?? null])).toEqual([
        [orgs.sorter.name, orgs.sorter.name, orgs.recycler.name],
        [orgs.recycler.name, orgs.recycler.name, null],
      ]);
      expect(custody.currentCustodianOrgName).toBe(orgs.recycler.name);
    });

    it('names the organisation of each lineage edge, and leaves what is withheld out, nameless', async () => {
      const full = ok<{ edges: Json[] }>(await ledger.get(`/batches/${collected}/lineage?direction=downstream`));
      expect(full.edges.map((e) => [e['childBatchId'], e['organisationName']]).sort()).toEqual([...outputs].sort().map((id) => [id, orgs.sorter.name]));
      // The collector held the input, not the outputs: what it may not see is counted only.
      const r = await ledger.get(`/batches/${collected}/lineage?direction=downstream`, orgs.collector.key);
      const view = ok<{ edges: Json[]; withheld: { batches: number; edges: number } }>(r);
      expect(view.withheld.edges).toBeGreaterThan(0);
      expect(view.edges.length + view.withheld.edges).toBe(full.edges.length);
      for (const edge of view.edges) expect(edge['organisationName']).toBe(names.get(String(edge['organisationId'])));
      const text = JSON.stringify(r.body);
      for (const withheldEdge of full.edges.filter((e) => !view.edges.some((v) => v['childBatchId'] === e['childBatchId']))) {
        expect(text).not.toContain(String(withheldEdge['childBatchId']));
      }
    });

    it('names the organisation of a process, of an inventory and of each party to an anomaly', async () => {
      const process = ok<Json>(await ledger.get(`/processes/${processId}`, orgs.sorter.key));
      expect(process).toMatchObject({ organisationId: orgs.sorter.id, organisationName: orgs.sorter.name });
      expect(process['definition']).not.toHaveProperty('organisationName');
      const inventory = ok<Json>(await ledger.get(`/reports/inventory/${orgs.recycler.id}`, orgs.recycler.key));
      expect(inventory).toMatchObject({ organisationId: orgs.recycler.id, organisationName: orgs.recycler.name });
      const anomalies = ok<{ items: Json[] }>(await ledger.get(`/audit/anomalies?kind=transit-discrepancy`, orgs.sorter.key));
      const discrepancy = anomalies.items.find((a) => (a['batchIds'] as string[]).includes(shortDelivery));
      expect(discrepancy).toBeDefined();
      const ids = discrepancy!['organisationIds'] as string[];
      expect(new Set(ids)).toEqual(new Set([orgs.collector.id, orgs.sorter.id]));
      expect(discrepancy!['organisationNames']).toEqual(ids.map((id) => names.get(id)));
    });

    it('names a municipality’s authorised collectors', async () => {
      const list = ok<Json[]>(await ledger.get(`/organisations/${orgs.municipality.id}/collector-authorisations`, orgs.municipality.key));
      expect(list.map((a) => [a['collectorOrgId'], a['collectorOrgName']])).toEqual([[orgs.collector.id, orgs.collector.name]]);
    });
  });

  describe('percentages beside the exact fractions', () => {
    it('gives each circularity rate as a two-decimal percentage computed exactly from the grams', async () => {
      const report = ok<{ rows: Array<{ collectedGrams: number; buckets: Record<string, number>; rates: Record<string, number | null>; ratesPercent: Record<string, string | null> }> }>(
        await ledger.get(`/reports/circularity?kommuneCode=${KOMMUNE}&period=year`, orgs.municipality.key),
      );
      expect(report.rows.length).toBeGreaterThan(0);
      for (const row of report.rows) {
        const collectedGrams = BigInt(row.collectedGrams);
        const b = Object.fromEntries(Object.entries(row.buckets).map(([k, v]) => [k, BigInt(v)]));
        const expected: Record<string, string | null> = Object.fromEntries(Object.entries(b).map(([k, v]) => [k, expectedPercent(v, collectedGrams)]));
        expected['circularity'] = expectedPercent(b['reuse']! + b['recycledTextile']! + b['recycledOther']!, collectedGrams);
        expected['fibreToFibre'] = expectedPercent(b['recycledTextile']!, collectedGrams);
        expected['resolved'] = expectedPercent(collectedGrams - b['inStock']!, collectedGrams);
        expect(row.ratesPercent).toEqual(expected);
        // The exact fractions are unchanged and agree with the percentages to the rounding.
        for (const [name, fraction] of Object.entries(row.rates)) {
          expect(fraction === null ? null : Math.abs(fraction * 100 - Number(row.ratesPercent[name]))).toEqual(fraction === null ? null : expect.any(Number));
          if (fraction !== null) expect(Math.abs(fraction * 100 - Number(row.ratesPercent[name]))).toBeLessThanOrEqual(0.005 + 1e-9);
        }
      }
      // 200,001 g sold for reuse of 400,007 g collected: 49.9996… % reads 50.00, not a float's guess.
      const year = report.rows.find((r) => r.collectedGrams === 400_007);
      expect(year?.ratesPercent['reuse']).toBe(expectedPercent(200_001n, 400_007n));
    });

    it('gives the municipal report’s rates as percentages too, equal to the circularity report’s', async () => {
      const year = new Date().getUTCFullYear();
      const report = ok<{ circularity: { collected: { grams: number }; buckets: Record<string, { grams: number }>; ratesPercent: Record<string, string | null> } }>(
        await ledger.get(`/reports/municipal/${KOMMUNE}/${year}`, orgs.municipality.key),
      );
      const collectedGrams = BigInt(report.circularity.collected.grams);
      for (const [bucket, figure] of Object.entries(report.circularity.buckets)) {
        expect([bucket, report.circularity.ratesPercent[bucket]]).toEqual([bucket, expectedPercent(BigInt(figure.grams), collectedGrams)]);
      }
      expect(report.circularity.ratesPercent['circularity']).toMatch(/^\d+\.\d{2}$/);
    });

    it('gives recycled content and fibre shares as percentages exactly equal to their basis points', async () => {
      const provenance = ok<{ recycledContentBasisPoints: number; recycledContentPercent: string }>(await ledger.get(`/batches/${outputs[1]}/provenance`, orgs.recycler.key));
      expect(provenance.recycledContentPercent).toBe(expectedPercent(BigInt(provenance.recycledContentBasisPoints), 10_000n));
      const batch = ok<{ composition: Array<{ fibre: string; share: number; sharePercent: string }> }>(await ledger.get(`/batches/${outputs[1]}`, orgs.recycler.key));
      expect(batch.composition).toEqual([
        { fibre: 'cotton', share: 6_543, sharePercent: '65.43' },
        { fibre: 'polyester', share: 3_457, sharePercent: '34.57' },
      ]);
    });
  });
  describe('the answers have the shape the OpenAPI document gives', () => {
    it('validates each read answer of this scenario against its documented schema', async () => {
      const doc = ok<{ paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }> }>> }>(
        await ledger.request('GET', '/docs-json', { key: null }),
      );
      const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
      const year = new Date().getUTCFullYear();
      const head = await ledger.store.headPosition();
      const reads: Array<[string, string, string?]> = [
        ['/me', '/me'],
        ['/organisations', '/organisations'],
        ['/organisations/{organisationId}', `/organisations/${orgs.sorter.id}`],
        ['/organisations/{organisationId}/api-keys', `/organisations/${orgs.sorter.id}/api-keys`],
        ['/organisations/{organisationId}/collector-authorisations', `/organisations/${orgs.municipality.id}/collector-authorisations`],
        ['/batches', '/batches'],
        ['/batches/{batchId}', `/batches/${outputs[1]}`],
        ['/batches/{batchId}', `/batches/${shortDelivery}?asOfPosition=${head}`],
        ['/batches/{batchId}/lineage', `/batches/${collected}/lineage?direction=downstream&asOfPosition=${head}`],
        ['/batches/{batchId}/lineage', `/batches/${outputs[1]}/lineage`],
        ['/batches/{batchId}/provenance', `/batches/${outputs[1]}/provenance`],
        ['/batches/{batchId}/custody', `/batches/${outputs[1]}/custody`],
        ['/batches/{batchId}/history', `/batches/${outputs[1]}/history`],
        ['/processes/{processId}', `/processes/${processId}`],
        ['/reports/circularity', `/reports/circularity?kommuneCode=${KOMMUNE}&period=month`],
        ['/reports/municipal/{kommuneCode}/{year}', `/reports/municipal/${KOMMUNE}/${year}`],
        ['/reports/inventory/{organisationId}', `/reports/inventory/${orgs.sorter.id}`],
        ['/audit/anomalies', '/audit/anomalies'],
        ['/audit/public-key', '/audit/public-key'],
        ['/audit/checkpoints', '/audit/checkpoints'],
        ['/audit/proofs/consistency', '/audit/proofs/consistency?from=1&to=4'],
        ['/audit/requests', '/audit/requests'],
        ['/health', '/health'],
        ['/health/ready', '/health/ready'],
      ];
      const invalid: string[] = [];
      for (const [route, url] of reads) {
        const r = await ledger.get(url);
        const schema = doc.paths[route]?.['get']?.responses[String(r.status)]?.content?.['application/json']?.schema;
        if (schema === undefined) {
          invalid.push(`${url}: ${r.status} is not documented`);
          continue;
        }
        const validate = ajv.compile(schema);
        if (!validate(r.body)) invalid.push(`${url}: ${ajv.errorsText(validate.errors)}`);
      }
      expect(invalid).toEqual([]);
    });
  });
});
