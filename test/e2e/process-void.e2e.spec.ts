import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { streamIds } from '#domain';
import type { Kysely } from 'kysely';
import { READ_DB } from '../../apps/ledger-api/src/ledger/tokens.js';
import { COTTON, COTTON_POLY } from '../fixtures/composition.js';
import { LedgerHarness, type LedgerResponse, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';
import { startTestPostgres, type TestPostgres } from '../support/postgres-server.js';

type Json = Record<string, unknown>;
const UNKNOWN = '01900000-0000-7000-8000-000000000000';
const REASON = { reason: 'the lot was sorted twice: this record is the duplicate' };

async function ok<T = Json>(response: Promise<LedgerResponse<T>>, status = 200): Promise<T> {
  const r = await response;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/**
 * POST /processes/:id/void (decision 011): a completed sorting is voided through HTTP and every read
 * model un-counts it; it is refused once an output was used, by anyone but the organisation that ran
 * it, and for bad input (appending nothing); it never succeeds together with a process racing for one
 * of its outputs. Projections run in the worker (compiled code, `npm test` builds it) and in-process.
 */
describe.each(['worker', 'in-process'] as const)('voiding a process over HTTP (projections: %s)', (projections) => {
  let ledger: LedgerHarness;
  let herning: RegisteredOrganisation;
  let sorter: RegisteredOrganisation;
  let recycler: RegisteredOrganisation;

  beforeAll(async () => {
    ledger = await LedgerHarness.start({ env: { LEDGER_PROJECTIONS: projections } });
    herning = await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657');
    sorter = await ledger.registerOrganisation('Herning Tekstilsortering', ['sorter', 'collector']);
    recycler = await ledger.registerOrganisation('Fibre Loop ApS', ['recycler']);
  }, 60_000);
  afterAll(async () => {
    await ledger.close();
  }, 60_000);

  const collect = async (massGrams: number): Promise<string> =>
    (
      await ok<{ batchId: string }>(
        ledger.post('/batches/collections', { kommuneCode: '0657', collectionScheme: 'bring-bank', ewcCode: '20 01 11', massGrams, collectorOrgId: sorter.id, occurredAt: '2026-03-10T09:00:00+01:00' }, herning.key),
        201,
      )
    ).batchId;

  /** Sorts the inputs into reuse and recycling grades, losing 2 %. */
  async function sort(inputs: string[], total: number, occurredAt = '2026-03-12T10:00:00+01:00'): Promise<{ processId: string; outputs: string[] }> {
    const loss = total / 50;
    const reuse = Math.floor((total - loss) * 0.4);
    const body = await ok<{ processId: string; outputBatchIds: string[] }>(
      ledger.post(
        '/processes',
        {
          processType: 'sorting',
          inputs: inputs.map((batchId) => ({ batchId })),
          outputs: [
            { massGrams: reuse, grade: 'reuse', composition: COTTON_POLY },
            { massGrams: total - loss - reuse, grade: 'recycling', composition: COTTON_POLY },
          ],
          losses: [{ kind: 'moisture-dust', massGrams: loss }],
          occurredAt,
        },
        sorter.key,
      ),
      201,
    );
    return { processId: body.processId, outputs: body.outputBatchIds };
  }

  const herningBuckets = async (): Promise<{ collectedGrams: number; buckets: Record<string, number> }> => {
    const report = await ok<{ rows: Array<{ collectedGrams: number; buckets: Record<string, number> }> }>(ledger.get('/reports/circularity?kommuneCode=0657&period=year', herning.key));
    return report.rows[0]!;
  };

  it('voids a sorting: outputs voided, inputs available again with their provenance, every read model un-counted', async () => {
    const [a, b] = [await collect(600_000), await collect(400_000)];
    const before = { circularity: await herningBuckets(), inventory: await ok<Json>(ledger.get(`/reports/inventory/${sorter.id}`, sorter.key)), provenance: await ok<Json>(ledger.get(`/batches/${a}/provenance`, sorter.key)) };
    const { processId, outputs } = await sort([a, b], 1_000_000);
    expect((await herningBuckets()).buckets.processLoss).toBe(20_000);
    const completedId = (await ledger.store.readStream(streamIds.process(processId)))[1]!.eventId;
    const head = await ledger.store.headPosition();

    const voided = await ok<Json>(ledger.post(`/processes/${processId}/void`, { ...REASON, correctedEventId: completedId }, sorter.key));
    expect(voided).toMatchObject({ processId, status: 'voided', correctedEventId: completedId, voidedBatchIds: outputs, restoredBatchIds: [a, b], replayed: false });
    expect((await ledger.store.readAll({ after: head, maxCount: 100 })).map((e) => e.type)).toEqual([
      'ProcessVoidStarted',
      'BatchVoided',
      'BatchVoided',
      'ProcessVoided',
      'BatchRestored',
      'BatchRestored',
    ]);

    // Batch summary: the inputs are the sorter's again, the outputs voided.
    for (const input of [a, b]) expect(await ok(ledger.get(`/batches/${input}`, sorter.key))).toMatchObject({ status: 'available', consumedByProcessId: null, custodianOrgId: sorter.id });
    for (const output of outputs) expect(await ok(ledger.get(`/batches/${output}`, sorter.key))).toMatchObject({ status: 'voided' });
    // Processes: voided, naming the corrected event, the actor and the reason.
    expect(await ok(ledger.get(`/processes/${processId}`, sorter.key))).toMatchObject({
      status: 'voided',
      void: { status: 'voided', correctedEventId: completedId, actorOrgId: sorter.id, reason: REASON.reason, attempts: 1 },
    });
    // Provenance, circularity, inventory: exactly as before the sorting.
    expect(await ok(ledger.get(`/batches/${a}/provenance`, sorter.key))).toEqual(before.provenance);
    expect(await ok(ledger.get(`/batches/${outputs[0]}/provenance`, sorter.key))).toMatchObject({ state: 'voided' });
    expect(await herningBuckets()).toEqual(before.circularity);
    expect(await ok(ledger.get(`/reports/inventory/${sorter.id}`, sorter.key))).toEqual(before.inventory);
    expect(before.inventory).toMatchObject({ balanced: true });
    // Lineage and custody: no edge left; the inputs never left the sorter's custody.
    expect(await ok(ledger.get(`/batches/${a}/lineage?direction=downstream`, sorter.key))).toMatchObject({ nodes: [{ batchId: a, depth: 0 }], edges: [] });
    expect(await ok(ledger.get(`/batches/${outputs[0]}/lineage?direction=upstream`, sorter.key))).toMatchObject({ edges: [] });
    const custody = await ok<{ periods: Array<{ to: unknown }>; currentCustodianOrgId: string }>(ledger.get(`/batches/${a}/custody`, sorter.key));
    expect(custody.currentCustodianOrgId).toBe(sorter.id);
    expect(custody.periods.map((p) => p.to)).toEqual([null]);
    expect(await ok(ledger.get(`/batches/${outputs[1]}/custody`, sorter.key))).toMatchObject({ currentCustodianOrgId: null, periods: [{ to: { endedBy: 'voided', detail: processId } }] });

    // History: the original and the correction side by side; as of before the void, the original alone.
    type History = { events: Array<{ type: string; eventId: string; position: number; corrects: string | null; correctedBy: string[] }> };
    const history = await ok<History>(ledger.get(`/batches/${a}/history`, sorter.key));
    const [collected, consumed, restored] = history.events;
    expect(history.events.map((e) => e.type)).toEqual(['BatchCollected', 'BatchConsumed', 'BatchRestored']);
    expect(consumed!.correctedBy).toEqual([restored!.eventId]);
    expect(restored!.corrects).toBe(consumed!.eventId);
    const asOf = await ok<History>(ledger.get(`/batches/${a}/history?asOfPosition=${head}`, sorter.key));
    expect(asOf.events.map((e) => [e.type, e.correctedBy])).toEqual([
      ['BatchCollected', []],
      ['BatchConsumed', []],
    ]);
    expect(collected!.correctedBy).toEqual([]);
    const outputHistory = await ok<History>(ledger.get(`/batches/${outputs[0]}/history`, sorter.key));
    expect(outputHistory.events.map((e) => [e.type, e.correctedBy.length])).toEqual([
      ['BatchProduced', 1],
      ['BatchVoided', 0],
    ]);

    // The inputs can be sorted again (at a business time after the void, which they now follow); the
    // voided process cannot be voided twice; outputs take no commands.
    await sort([a, b], 1_000_000, new Date().toISOString());
    expect(await ledger.post(`/processes/${processId}/void`, REASON, sorter.key)).toMatchObject({ status: 409, body: { code: 'process-already-voided' } });
    expect(await ledger.post(`/batches/${outputs[0]}/outcome`, { outcome: 'landfilled' }, sorter.key)).toMatchObject({ status: 409, body: { code: 'batch-not-available' } });
  });

  it('answers a retry with the same Idempotency-Key with the first answer, appending nothing', async () => {
    const { processId } = await sort([await collect(50_000)], 50_000);
    const headers = { 'idempotency-key': `void-${processId}` };
    const first = await ledger.post(`/processes/${processId}/void`, REASON, sorter.key, headers);
    expect(first.status).toBe(200);
    const head = await ledger.store.headPosition();
    const again = await ledger.post(`/processes/${processId}/void`, REASON, sorter.key, headers);
    expect(again).toMatchObject({ status: 200, body: first.body });
    expect(await ledger.store.headPosition()).toBe(head);

    // Forget the stored answer, as a crash right after the void would: the command id, derived from
    // the key, still finds the void it started.
    await ledger.app
      .get<Kysely<object>>(READ_DB)
      .withTables<{ ledger_idempotency: { idempotency_key: string } }>()
      .deleteFrom('ledger_idempotency')
      .where('idempotency_key', '=', headers['idempotency-key'])
      .execute();
    const retry = await ledger.post<Json>(`/processes/${processId}/void`, REASON, sorter.key, headers);
    expect(retry).toMatchObject({ status: 200, body: { ...(first.body as Json), replayed: true } });
    expect(await ledger.store.headPosition()).toBe(head);
  });

  it('refuses while an output is consumed or in transit, and appends nothing', async () => {
    const consumedCase = await sort([await collect(100_000)], 100_000);
    await sort([consumedCase.outputs[1]!], 58_800);
    const dispatchedCase = await sort([await collect(100_000)], 100_000);
    await ok(ledger.post(`/batches/${dispatchedCase.outputs[0]}/dispatch`, { toOrgId: recycler.id }, sorter.key));
    for (const { processId, outputs } of [consumedCase, dispatchedCase]) {
      const head = await ledger.store.headPosition();
      const refused = await ledger.post<Json>(`/processes/${processId}/void`, REASON, sorter.key);
      expect(refused).toMatchObject({ status: 409, body: { code: 'output-not-available', type: 'https://textile-ledger.org/problems/output-not-available' } });
      expect(outputs).toContain(refused.body.batchId);
      expect(await ledger.store.headPosition()).toBe(head);
    }
    // Once the shipment is cancelled, the sorter holds the output as it was made: the void goes through.
    await ok(ledger.post(`/batches/${dispatchedCase.outputs[0]}/cancel-transfer`, { reason: 'wrong truck' }, sorter.key));
    await ok(ledger.post(`/processes/${dispatchedCase.processId}/void`, REASON, sorter.key));
  });

  describe('refuses bad input with a specific problem and appends nothing', () => {
    let processId: string;
    let output: string;
    beforeAll(async () => {
      const sorted = await sort([await collect(80_000)], 80_000);
      processId = sorted.processId;
      output = sorted.outputs[0]!;
    });
    const future = () => new Date(Date.now() + 3_600_000).toISOString();
    const cases: Array<[string, () => { url: string; body: unknown; key: () => string }, number, string]> = [
      ['no reason', () => ({ url: `/processes/${processId}/void`, body: {}, key: () => sorter.key }), 400, 'invalid-body'],
      ['an empty reason', () => ({ url: `/processes/${processId}/void`, body: { reason: '   ' }, key: () => sorter.key }), 400, 'invalid-body'],
      ['an unexpected field', () => ({ url: `/processes/${processId}/void`, body: { ...REASON, outputs: [] }, key: () => sorter.key }), 400, 'invalid-body'],
      ['a malformed process id', () => ({ url: '/processes/not-a-uuid/void', body: REASON, key: () => sorter.key }), 400, 'invalid-body'],
      ['an unknown process', () => ({ url: `/processes/${UNKNOWN}/void`, body: REASON, key: () => sorter.key }), 404, 'unknown-process'],
      ['a time in the future', () => ({ url: `/processes/${processId}/void`, body: { ...REASON, occurredAt: future() }, key: () => sorter.key }), 422, 'time-in-future'],
      ['another event than the completion', () => ({ url: `/processes/${processId}/void`, body: { ...REASON, correctedEventId: 'not-the-completion' }, key: () => sorter.key }), 422, 'not-the-completion-event'],
      ['another organisation', () => ({ url: `/processes/${processId}/void`, body: REASON, key: () => recycler.key }), 403, 'not-process-organisation'],
      ['the operator', () => ({ url: `/processes/${processId}/void`, body: REASON, key: () => ledger.operatorKey }), 403, 'operator-must-impersonate'],
      ['a batch id where a process id belongs', () => ({ url: `/processes/${output}/void`, body: REASON, key: () => sorter.key }), 404, 'unknown-process'],
    ];
    it.each(cases)('%s', async (_name, make, status, code) => {
      const { url, body, key } = make();
      const head = await ledger.store.headPosition();
      const response = await ledger.post<Json>(url, body, key());
      expect(response.status).toBe(status);
      expect(String(response.headers['content-type'])).toContain('application/problem+json');
      expect(response.body).toMatchObject({ status, code, type: `https://textile-ledger.org/problems/${code}` });
      expect(await ledger.store.headPosition()).toBe(head);
    });
  });

  it('rebuilds every read model to the checksum of the live ones', async () => {
    const live = await ledger.runner.checksum();
    await ledger.runner.rebuild();
    expect((await ledger.runner.checksum()).total).toBe(live.total);
  });
});

/**
 * A void racing with a process that consumes one of the outputs (and with a dispatch of another)
 * must never end with both: exactly one of them wins each round, and the loser leaves nothing
 * half-done. On the embedded log and on PostgreSQL.
 */
describe.each(['sqlite', 'postgres'] as const)('a void racing with a process on one of its outputs (event log: %s)', (eventLog) => {
  let postgres: TestPostgres | undefined;
  let ledger: LedgerHarness;
  let sorter: RegisteredOrganisation;
  let recycler: RegisteredOrganisation;

  beforeAll(async () => {
    const env: NodeJS.ProcessEnv = { LEDGER_STORE: eventLog, LEDGER_READ_MODELS: eventLog, LEDGER_PROJECTIONS: 'in-process' };
    if (eventLog === 'postgres') {
      postgres = await startTestPostgres();
      env.LEDGER_DATABASE_URL = await postgres.createDatabase();
    }
    ledger = await LedgerHarness.start({ env });
    sorter = await ledger.registerOrganisation('Sorter', ['sorter', 'collector']);
    recycler = await ledger.registerOrganisation('Recycler', ['recycler']);
    // a collector records collections only for a kommune whose municipality authorised it.
    await ledger.authoriseCollector(await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657'), sorter.id);
  }, 60_000);
  afterAll(async () => {
    await ledger.close();
    await postgres?.stop();
  }, 60_000);

  it('lets exactly one of them win, every round', async () => {
    const outcomes = { void: 0, process: 0, neither: 0 };
    for (let round = 0; round < 12; round += 1) {
      const input = (await ok<{ batchId: string }>(ledger.post('/batches/collections', { kommuneCode: '0657', collectionScheme: 'kerbside', ewcCode: '20 01 11', massGrams: 10_000 }, sorter.key), 201)).batchId;
      const sorted = await ok<{ processId: string; outputBatchIds: string[] }>(
        ledger.post(
          '/processes',
          { processType: 'sorting', inputs: [{ batchId: input }], outputs: [{ massGrams: 6_000, grade: 'reuse', composition: COTTON }, { massGrams: 4_000, grade: 'recycling', composition: COTTON }] },
          sorter.key,
        ),
        201,
      );
      const [reuse, recycling] = sorted.outputBatchIds as [string, string];
      const voidIt = () => ledger.post<Json>(`/processes/${sorted.processId}/void`, REASON, sorter.key);
      const useIt = () =>
        ledger.post<{ processId?: string }>('/processes', { processType: 'splitting', inputs: [{ batchId: reuse }], outputs: [{ massGrams: 3_000, grade: 'reuse', composition: COTTON }, { massGrams: 3_000, grade: 'reuse', composition: COTTON }] }, sorter.key);
      const shipIt = () => ledger.post<Json>(`/batches/${recycling}/dispatch`, { toOrgId: recycler.id }, sorter.key);
      // Who starts first alternates; the dispatch joins every other round.
      const racers = round % 2 === 0 ? [voidIt(), useIt()] : [useIt(), voidIt()];
      const shipping = round % 4 < 2 ? shipIt() : undefined;
      const [first, second] = await Promise.all(racers);
      const [voided, used] = round % 2 === 0 ? [first!, second!] : [second!, first!];
      const shipped = await shipping;

      const voidWon = voided.status === 200;
      const processWon = used.status === 201;
      expect(voidWon && processWon).toBe(false);
      expect([200, 409]).toContain(voided.status);
      expect([201, 409]).toContain(used.status);
      // Alone, the two always have a winner; a dispatch of the other output can make the void fail too.
      if (!shipping) expect(voidWon || processWon).toBe(true);
      if (shipped && voidWon) expect(shipped.status).toBe(409);
      outcomes[voidWon ? 'void' : processWon ? 'process' : 'neither'] += 1;

      const process = await ok<{ status: string; void: { status: string } | null }>(ledger.get(`/processes/${sorted.processId}`, sorter.key));
      const reuseState = await ok<{ status: string }>(ledger.get(`/batches/${reuse}`, sorter.key));
      const inputState = await ok<{ status: string }>(ledger.get(`/batches/${input}`, sorter.key));
      const recyclingState = await ok<{ status: string }>(ledger.get(`/batches/${recycling}`, sorter.key));
      if (voidWon) {
        expect([process.status, reuseState.status, recyclingState.status, inputState.status]).toEqual(['voided', 'voided', 'voided', 'available']);
      } else {
        expect(process.status).toBe('completed');
        expect(inputState.status).toBe('consumed');
        // A rejected void hands back every output it had voided.
        expect(reuseState.status).toBe(processWon ? 'consumed' : 'available');
        expect(recyclingState.status).toBe(shipped?.status === 200 ? 'in-transit' : 'available');
      }
      // Never both: an output consumed by a completed process never belongs to a voided one.
      const reuseStream = await ledger.store.readStream(streamIds.batch(reuse));
      const consumedBy = reuseStream.filter((e) => e.type === 'BatchConsumed').map((e) => (e.data as { processId: string }).processId);
      const voidedOutputs = reuseStream.filter((e) => e.type === 'BatchVoided').length - reuseStream.filter((e) => e.type === 'BatchVoidReverted').length;
      expect(consumedBy.length + voidedOutputs).toBeLessThanOrEqual(1);
    }
    // Two voids of one process at once: one voids it, the other is told why it cannot.
    const input = (await ok<{ batchId: string }>(ledger.post('/batches/collections', { kommuneCode: '0657', collectionScheme: 'kerbside', ewcCode: '20 01 11', massGrams: 5_000 }, sorter.key), 201)).batchId;
    const twice = await ok<{ processId: string }>(ledger.post('/processes', { processType: 'splitting', inputs: [{ batchId: input }], outputs: [{ massGrams: 5_000, grade: 'reuse', composition: COTTON }] }, sorter.key), 201);
    const both = await Promise.all([1, 2].map(() => ledger.post<{ code?: string }>(`/processes/${twice.processId}/void`, REASON, sorter.key)));
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(['process-void-in-progress', 'process-already-voided']).toContain(both.find((r) => r.status === 409)!.body.code);

    // Nothing is left for recovery: every void and every process ended.
    const all = await ledger.store.readAll({ maxCount: 100_000 });
    const count = (type: string) => all.filter((e) => e.type === type).length;
    expect(count('ProcessVoided') + count('ProcessVoidRejected')).toBe(count('ProcessVoidStarted'));
    expect(count('ProcessCompleted') + count('ProcessRejected')).toBe(count('ProcessStarted'));
    expect(outcomes.void + outcomes.process + outcomes.neither).toBe(12);
    const live = await ledger.runner.checksum();
    await ledger.runner.rebuild();
    expect((await ledger.runner.checksum()).total).toBe(live.total);
  });
});
