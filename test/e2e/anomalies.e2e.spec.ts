import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decideStartProcess, DEFAULT_POLICY, type LoadedInput } from '#domain';
import type { Anomaly, AnomalyPage } from '#projections';
import { v7 as uuidv7 } from 'uuid';
import { loadBatch } from '../../apps/ledger-api/src/ledger/stream-loader.js';
import { ProcessManager } from '../../apps/ledger-api/src/processes/process-manager.js';
import { COTTON } from '../fixtures/composition.js';
import { SimulatedCrash, crashingAfter } from '../fixtures/crashing-store.js';
import { LedgerHarness, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';


interface Problem {
  status: number;
  code: string;
  detail: string;
  errors?: { path: string; message: string }[];
}

const HOUR = 3_600_000;
const later = (ms: number): string => new Date(Date.now() + ms).toISOString();

/**
 * The auditor's anomaly list over HTTP: a transit loss above the 2 % tolerance, a sorting
 * that lost 15 % (norm 10 %), a shipment left in transit beyond 72 h (judged at a later asOf), and a
 * process whose driver died after its first step, which recovery has not finished (interval 0).
 */
describe('GET /audit/anomalies', () => {
  let ledger: LedgerHarness;
  let herning: RegisteredOrganisation;
  let sorter: RegisteredOrganisation;
  let recycler: RegisteredOrganisation;
  let auditor: RegisteredOrganisation;
  const ids: Record<string, string> = {};

  async function ok<T>(response: Promise<{ status: number; body: T }>, status = 200): Promise<T> {
    const r = await response;
    if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  }
  const collect = async (massGrams: number): Promise<string> =>
    (await ok(ledger.post<{ batchId: string }>('/batches/collections', { kommuneCode: '0657', collectionScheme: 'bring-bank', ewcCode: '20 01 11', massGrams, collectorOrgId: sorter.id }, herning.key), 201)).batchId;
  const sort = async (batchId: string, massGrams: number, lossGrams: number): Promise<string> =>
    (
      await ok(
        ledger.post<{ processId: string }>(
          '/processes',
          { processType: 'sorting', inputs: [{ batchId }], outputs: [{ massGrams: massGrams - lossGrams, grade: 'recycling', composition: COTTON }], losses: [{ kind: 'process-waste', massGrams: lossGrams }] },
          sorter.key,
        ),
        201,
      )
    ).processId;
  const list = async (query = ''): Promise<AnomalyPage> => ok(ledger.get<AnomalyPage>(`/audit/anomalies${query}`, auditor.key));
  const summary = (items: Anomaly[]) => items.map((a) => [a.kind, a.batchIds[0] ?? null, a.processId]);

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    herning = await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657');
    sorter = await ledger.registerOrganisation('Herning Sortering', ['sorter', 'collector']);
    recycler = await ledger.registerOrganisation('Fibre Loop', ['recycler']);
    auditor = await ledger.registerOrganisation('Certifier', ['auditor']);

    // A transit loss of 3 % (above 2 %), and one of 1 % (within).
    ids.lossy = await collect(100_000);
    await ok(ledger.post(`/batches/${ids.lossy}/dispatch`, { toOrgId: recycler.id }, sorter.key));
    await ok(ledger.post(`/batches/${ids.lossy}/receive`, { receivedMassGrams: 97_000 }, recycler.key));
    ids.fine = await collect(50_000);
    await ok(ledger.post(`/batches/${ids.fine}/dispatch`, { toOrgId: recycler.id }, sorter.key));
    await ok(ledger.post(`/batches/${ids.fine}/receive`, { receivedMassGrams: 49_500 }, recycler.key));

    // A sorting that lost 15 %, and one that lost exactly the 10 % norm.
    ids.sorted = await collect(200_000);
    ids.lossyProcess = await sort(ids.sorted, 200_000, 30_000);
    ids.normal = await collect(100_000);
    await sort(ids.normal, 100_000, 10_000);

    // A shipment dispatched and never received.
    ids.open = await collect(40_000);
    ids.dispatchedBefore = new Date().toISOString();
    await ok(ledger.post(`/batches/${ids.open}/dispatch`, { toOrgId: recycler.id }, sorter.key));

    // A process whose driver died after ProcessStarted and its first BatchConsumed.
    ids.stuckInput = await collect(30_000);
    const store = ledger.store;
    const loaded = new Map<string, LoadedInput>();
    const input = await loadBatch(store, ids.stuckInput);
    loaded.set(ids.stuckInput, { state: input.state, revision: input.revision });
    ids.stuckProcess = uuidv7();
    const started = decideStartProcess(
      loaded,
      new Set(),
      {
        processId: ids.stuckProcess,
        processType: 'sorting',
        inputs: [{ batchId: ids.stuckInput }],
        externalInputs: [],
        outputs: [{ batchId: uuidv7(), massGrams: 30_000, grade: 'reuse', composition: COTTON as never }],
        losses: [],
        occurredAt: new Date().toISOString(),
      },
      { now: new Date(), actor: { organisationId: sorter.id, name: 'Herning Sortering', roles: ['sorter'] }, organisation: () => undefined, policy: DEFAULT_POLICY },
    );
    const manager = new ProcessManager(crashingAfter(store, 2));
    await expect(manager.start(started.data, { actorOrgId: sorter.id, commandId: uuidv7(), correlationId: uuidv7(), causationId: uuidv7(), idempotent: false })).rejects.toThrow(SimulatedCrash);
    await ledger.runner.waitForPosition(await store.headPosition(), 30_000);
  }, 60_000);

  afterAll(async () => {
    await ledger.close();
  });

  it('lists the transit loss and the 15 % sorting now, with their figures, evidence and the settings applied', async () => {
    const page = await list();
    expect(summary(page.items)).toEqual([
      ['transit-discrepancy', ids.lossy, null],
      ['process-loss', ids.sorted, ids.lossyProcess],
    ]);
    expect(page).toMatchObject({ knownAt: null, axis: 'occurredAt', nextCursor: null, settings: { custodyGapHours: 72, unfinishedProcessGraceMinutes: 10, lossNormsPercent: { sorting: 10 } } });
    const [transit, loss] = page.items;
    expect(transit).toMatchObject({
      eventType: 'CustodyTransferReceived',
      organisationIds: [sorter.id, recycler.id],
      figures: { dispatchedMassGrams: 100_000, receivedMassGrams: 97_000, differenceGrams: -3_000, differencePercent: -3, toleranceBasisPoints: 200 },
    });
    expect(loss).toMatchObject({
      eventType: 'ProcessCompleted',
      organisationIds: [sorter.id],
      figures: { processType: 'sorting', inputMassGrams: 200_000, lossMassGrams: 30_000, lossPercent: 15, normPercent: 10, losses: [{ kind: 'process-waste', massGrams: 30_000 }] },
    });
    // The positions and ids name real events of the batch's history.
    const history = await ok(ledger.get<{ events: { eventId: string; position: number; type: string }[] }>(`/batches/${ids.lossy}/history`, auditor.key));
    expect(history.events).toContainEqual(expect.objectContaining({ eventId: transit!.eventId, position: transit!.position, type: 'CustodyTransferReceived' }));
  });

  it('answers as of a log position too, from an as-of replay, judged when that event was recorded', async () => {
    const now = await list();
    const transit = now.items.find((a) => a.kind === 'transit-discrepancy')!;
    const before = await ledger.get<AnomalyPage>(`/audit/anomalies?asOfPosition=${transit.position - 1}`, auditor.key);
    expect(before.status).toBe(200);
    expect(JSON.parse(String(before.headers['ledger-as-of']))).toEqual({ axis: 'position', position: transit.position - 1 });
    expect(summary(before.body.items).map(([kind]) => kind)).not.toContain('transit-discrepancy');
    const at = await ok(ledger.get<AnomalyPage>(`/audit/anomalies?asOfPosition=${transit.position}`, auditor.key));
    expect(at.items.find((a) => a.kind === 'transit-discrepancy')).toEqual(transit);
    expect(at.judgedAt).toBe(transit.recordedAt);
    const both = await ledger.get(`/audit/anomalies?asOfPosition=1&asOf=2026-01-01T00:00:00Z`, auditor.key);
    expect(both.status).toBe(400);
  });

  it('judges the open shipment and the stuck process at a later asOf: beyond 72 h and beyond the grace', async () => {
    const afterGrace = await list(`?asOf=${encodeURIComponent(later(11 * 60_000))}`);
    expect(summary(afterGrace.items)).toEqual([
      ['transit-discrepancy', ids.lossy, null],
      ['process-loss', ids.sorted, ids.lossyProcess],
      ['unfinished-process', ids.stuckInput, ids.stuckProcess],
    ]);
    expect(afterGrace.items[2]).toMatchObject({ eventType: 'ProcessStarted', organisationIds: [sorter.id], figures: { stage: 'started', heldInputs: 1, graceMinutes: 10 } });

    const asOf = later(73 * HOUR);
    const page = await list(`?asOf=${encodeURIComponent(asOf)}`);
    expect(page).toMatchObject({ judgedAt: asOf, knownAt: asOf });
    expect(summary(page.items)).toEqual([
      ['transit-discrepancy', ids.lossy, null],
      ['process-loss', ids.sorted, ids.lossyProcess],
      ['custody-gap', ids.open, null],
      ['unfinished-process', ids.stuckInput, ids.stuckProcess],
    ]);
    const gap = page.items[2]!;
    expect(gap).toMatchObject({ eventType: 'CustodyTransferDispatched', organisationIds: [sorter.id, recycler.id], figures: { status: 'in-transit', gapHours: 72, fromOrgId: sorter.id, toOrgId: recycler.id, massGrams: 40_000 } });
    expect(gap.kind === 'custody-gap' && gap.figures.hoursOpen).toBeGreaterThan(72);

    // As the ledger knew it before the shipment was recorded, there was no shipment to miss.
    const before = await list(`?asOf=${encodeURIComponent(ids.dispatchedBefore!)}`);
    expect(summary(before.items)).toEqual([
      ['transit-discrepancy', ids.lossy, null],
      ['process-loss', ids.sorted, ids.lossyProcess],
    ]);
  });

  it('filters by kind, organisation and business time, and pages by cursor in log order', async () => {
    const asOf = encodeURIComponent(later(73 * HOUR));
    expect(summary((await list(`?kind=process-loss&asOf=${asOf}`)).items)).toEqual([['process-loss', ids.sorted, ids.lossyProcess]]);
    expect(summary((await list(`?organisationId=${recycler.id}&asOf=${asOf}`)).items)).toEqual([
      ['transit-discrepancy', ids.lossy, null],
      ['custody-gap', ids.open, null],
    ]);
    expect((await list(`?organisationId=${herning.id}&asOf=${asOf}`)).items).toEqual([]);
    expect((await list(`?to=${encodeURIComponent('2020-01-01T00:00:00+01:00')}&asOf=${asOf}`)).items).toEqual([]);
    expect((await list(`?from=${encodeURIComponent(later(HOUR))}&asOf=${asOf}`)).items).toEqual([]);

    const all = (await list(`?asOf=${asOf}`)).items;
    const paged: Anomaly[] = [];
    let cursor: string | null = null;
    do {
      const page: AnomalyPage = await list(`?asOf=${asOf}&limit=1${cursor === null ? '' : `&after=${cursor}`}`);
      expect(page.items.length).toBe(1);
      paged.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(paged).toEqual(all);
    expect(all.map((a) => a.position)).toEqual([...all.map((a) => a.position)].sort((a, b) => a - b));
  });

  it.each([
    ['kind=stolen', 'kind'],
    ['organisationId=not-a-uuid', 'organisationId'],
    ['from=yesterday', 'from'],
    ['asOf=2026-03-10T12:00:00', 'asOf'],
    ['from=2026-03-10T00:00:00Z&to=2026-03-01T00:00:00Z', 'to'],
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
    ['after=1e3', 'after'],
    ['colour=red', '(body)'],
  ])('refuses ?%s with a 400 problem naming %s', async (query, path) => {
    const response = await ledger.get<Problem>(`/audit/anomalies?${query}`, auditor.key);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 400, code: 'invalid-body' });
    expect(response.body.errors?.map((e) => e.path)).toContain(path);
  });

  it('needs credentials, and is in the OpenAPI document', async () => {
    expect((await ledger.request('GET', '/audit/anomalies', { key: null })).status).toBe(401);
    const doc = await ok(ledger.get<{ paths: Record<string, { get?: { parameters?: { name: string; schema?: { enum?: string[] } }[] } }> }>('/docs-json'));
    const parameters = doc.paths['/audit/anomalies']?.get?.parameters ?? [];
    expect(parameters.map((p) => p.name).sort()).toEqual(['after', 'asOf', 'asOfPosition', 'from', 'kind', 'limit', 'organisationId', 'to']);
    expect(parameters.find((p) => p.name === 'kind')?.schema?.enum).toEqual(['transit-discrepancy', 'process-loss', 'custody-gap', 'unfinished-process']);
  });
});
