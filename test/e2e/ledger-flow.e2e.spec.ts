import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { COTTON, COTTON_POLY, POLYESTER } from '../fixtures/composition.js';
import { LedgerHarness, type RegisteredOrganisation } from '../fixtures/ledger-harness.js';
import { startTestPostgres, type TestPostgres } from '../support/postgres-server.js';

type Json = Record<string, unknown>;

// The three topologies of docs/operations.md: embedded (projections in a worker, and in-process),
// postgres (events and read models in a real PostgreSQL, started by test/support/postgres-server.ts;
// it never skips), and eventstoredb (events in EventStoreDB, read models in PostgreSQL), which runs
// only when EVENTSTORE_CONNECTION_STRING names a server and is otherwise reported skipped by name.
const eventStoreDb = process.env.EVENTSTORE_CONNECTION_STRING;
type Topology = readonly ['sqlite' | 'postgres' | 'eventstoredb', 'sqlite' | 'postgres', 'worker' | 'in-process'];
const topologies: readonly Topology[] = [
  ['sqlite', 'sqlite', 'worker'],
  ['sqlite', 'sqlite', 'in-process'],
  ['postgres', 'postgres', 'worker'],
  ...(eventStoreDb ? [['eventstoredb', 'postgres', 'worker'] as const] : []),
];
if (!eventStoreDb) {
  describe('ledger flow over HTTP (event log: eventstoredb, read models: postgres)', () => {
    it.skip('skipped: EVENTSTORE_CONNECTION_STRING is not set (no EventStoreDB server on this machine)', () => undefined);
  });
}

/**
 * The typical flow of the core issue: three kommuner collect, a sorter in Herning sorts, a recycler
 * makes fibre, and a manufacturer makes pillows from that fibre and hospital-laundry residual.
 */
describe.each(topologies)('ledger flow over HTTP (event log: %s, read models: %s, projections: %s)', (eventLog, readModels, projections) => {
  let postgres: TestPostgres | undefined;
  let ledger: LedgerHarness;
  let herning: RegisteredOrganisation;
  let ikast: RegisteredOrganisation;
  let holstebro: RegisteredOrganisation;
  let sorter: RegisteredOrganisation;
  let recycler: RegisteredOrganisation;
  let manufacturer: RegisteredOrganisation;
  let laundry: RegisteredOrganisation;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    const env: NodeJS.ProcessEnv = { LEDGER_PROJECTIONS: projections, LEDGER_STORE: eventLog, LEDGER_READ_MODELS: readModels };
    if (eventLog === 'postgres' || readModels === 'postgres') {
      postgres = await startTestPostgres();
      env.LEDGER_DATABASE_URL = await postgres.createDatabase();
    }
    if (eventLog === 'eventstoredb') env.EVENTSTORE_CONNECTION_STRING = eventStoreDb;
    ledger = await LedgerHarness.start({ env });
    herning = await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657');
    ikast = await ledger.registerOrganisation('Ikast-Brande Kommune', ['municipality'], '0756');
    holstebro = await ledger.registerOrganisation('Holstebro Kommune', ['municipality'], '0661');
    sorter = await ledger.registerOrganisation('Herning Tekstilsortering', ['sorter', 'collector']);
    recycler = await ledger.registerOrganisation('Fibre Loop ApS', ['recycler']);
    manufacturer = await ledger.registerOrganisation('Pude & Pose A/S', ['manufacturer']);
    laundry = await ledger.registerOrganisation('Regionshospital Vaskeri', ['collector']);
  }, 60_000);

  afterAll(async () => {
    await ledger.close();
    await postgres?.stop();
  }, 60_000);

  async function ok(response: Promise<{ status: number; body: Json }>, status = 200): Promise<Json> {
    const r = await response;
    if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async function collect(org: RegisteredOrganisation, kommuneCode: string, massGrams: number): Promise<string> {
    const body = await ok(
      ledger.post('/batches/collections', { kommuneCode, collectionScheme: 'bring-bank', ewcCode: '20 01 11', massGrams, collectorOrgId: sorter.id, occurredAt: '2026-03-10T09:00:00+01:00', programmeTags: ['tekstilsymbiose-herning'] }, org.key),
      201,
    );
    return body.batchId as string;
  }

  async function ship(batchId: string, from: RegisteredOrganisation, to: RegisteredOrganisation, receivedMassGrams: number): Promise<void> {
    await ok(ledger.post(`/batches/${batchId}/dispatch`, { toOrgId: to.id }, from.key));
    await ok(ledger.post(`/batches/${batchId}/receive`, { receivedMassGrams }, to.key));
  }

  it('records the whole chain and answers where a pillow came from', async () => {
    ids.herning = await collect(herning, '0657', 600_000);
    ids.ikast = await collect(ikast, '0756', 300_000);
    ids.holstebro = await collect(holstebro, '0661', 100_000);

    // The sorter holds all three (it is the collector) and blends them into one sorted lot.
    const sorted = await ok(
      ledger.post(
        '/processes',
        {
          processType: 'sorting',
          inputs: [{ batchId: ids.herning }, { batchId: ids.ikast }, { batchId: ids.holstebro }],
          outputs: [
            { massGrams: 350_000, grade: 'reuse', composition: COTTON_POLY },
            { massGrams: 500_000, grade: 'recycling', composition: COTTON_POLY },
            { massGrams: 130_000, grade: 'residual', composition: COTTON_POLY },
          ],
          losses: [{ kind: 'moisture-dust', massGrams: 20_000 }],
        },
        sorter.key,
      ),
      201,
    );
    const [reuse, recycling, residual] = sorted.outputBatchIds as string[];
    ids.reuse = reuse!;
    ids.recycling = recycling!;
    ids.residual = residual!;

    await ok(ledger.post(`/batches/${ids.reuse}/outcome`, { outcome: 'sold-for-reuse', market: 'domestic' }, sorter.key));
    await ok(ledger.post(`/batches/${ids.residual}/outcome`, { outcome: 'incinerated', energyRecovery: true }, sorter.key));

    // Transit loss of 2 kg on the way to the recycler (0.4 %: within tolerance).
    await ship(ids.recycling, sorter, recycler, 498_000);
    const fibre = await ok(
      ledger.post(
        '/processes',
        {
          processType: 'mechanical-recycling',
          inputs: [{ batchId: ids.recycling }],
          outputs: [{ massGrams: 450_000, grade: 'fibre', composition: COTTON_POLY }],
          losses: [{ kind: 'process-waste', massGrams: 48_000 }],
        },
        recycler.key,
      ),
      201,
    );
    ids.fibre = (fibre.outputBatchIds as string[])[0]!;
    await ship(ids.fibre, recycler, manufacturer, 450_000);

    // The hospital laundry's discarded linen: the CØ59 chain.
    const linen = await ok(
      ledger.post('/batches/residuals', { originClass: 'post-consumer-business', ewcCode: '20 01 11', massGrams: 200_000, composition: COTTON, description: 'discarded hospital laundry linen', programmeTags: ['closing-loops-co59'] }, laundry.key),
      201,
    );
    ids.linen = linen.batchId as string;
    await ship(ids.linen, laundry, manufacturer, 200_000);

    const made = await ok(
      ledger.post(
        '/processes',
        {
          processType: 'manufacturing',
          inputs: [{ batchId: ids.fibre }, { batchId: ids.linen }],
          externalInputs: [{ description: 'virgin polyester filling', massGrams: 50_000, composition: POLYESTER, originClass: 'virgin' }],
          outputs: [
            { massGrams: 500_000, grade: 'product', productType: 'pillow', application: 'textile', composition: COTTON_POLY },
            { massGrams: 180_000, grade: 'product', productType: 'bag', application: 'textile', composition: COTTON },
          ],
          losses: [{ kind: 'process-waste', massGrams: 20_000 }],
        },
        manufacturer.key,
      ),
      201,
    );
    ids.pillows = (made.outputBatchIds as string[])[0]!;
    ids.bags = (made.outputBatchIds as string[])[1]!;

    const provenance = await ok(ledger.get(`/batches/${ids.pillows}/provenance`, manufacturer.key));
    expect(provenance.massGrams).toBe(500_000);
    const cohorts = provenance.cohorts as Array<{ grams: number }>;
    expect(cohorts.reduce((sum, c) => sum + c.grams, 0)).toBe(500_000);
    const kommuner = (provenance.byKommune as Array<{ kommuneCode: string; grams: number }>).map((k) => k.kommuneCode).sort();
    expect(kommuner).toEqual(['0657', '0661', '0756']);
    expect(provenance.virginGrams as number).toBeGreaterThan(0);
    expect((provenance.postConsumerGrams as number) + (provenance.preConsumerGrams as number) + (provenance.virginGrams as number) + (provenance.untrackedGrams as number)).toBe(500_000);
  });

  it('reports Herning’s circularity with collected = Σ buckets', async () => {
    const report = await ok(ledger.get('/reports/circularity?kommuneCode=0657&period=year', herning.key));
    const rows = report.rows as Array<Json>;
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    const buckets = row.buckets as Record<string, number>;
    expect(row.collectedGrams).toBe(600_000);
    expect(Object.values(buckets).reduce((a, b) => a + b, 0)).toBe(600_000);
    expect(buckets.reuse).toBeGreaterThan(0);
    expect(buckets.energyRecovery).toBeGreaterThan(0);
    expect(buckets.recycledTextile).toBeGreaterThan(0);
  });

  it('serves lineage upstream and downstream, custody and history as of a past position', async () => {
    const upstream = await ok(ledger.get(`/batches/${ids.pillows}/lineage?direction=upstream`, manufacturer.key));
    const upstreamIds = (upstream.nodes as Array<{ batchId: string }>).map((n) => n.batchId);
    for (const id of [ids.fibre, ids.recycling, ids.herning, ids.ikast, ids.holstebro, ids.linen]) expect(upstreamIds).toContain(id);

    const downstream = await ok(ledger.get(`/batches/${ids.herning}/lineage?direction=downstream`, herning.key));
    expect((downstream.nodes as Array<{ batchId: string }>).map((n) => n.batchId)).toContain(ids.pillows);

    const custody = await ok(ledger.get(`/batches/${ids.recycling}/custody`, recycler.key));
    const periods = custody.periods as Array<{ organisationId: string }>;
    expect(periods.map((p) => p.organisationId)).toEqual([sorter.id, recycler.id]);

    const history = await ok(ledger.get(`/batches/${ids.recycling}/history`, recycler.key));
    const events = history.events as Array<{ type: string; position: number }>;
    expect(events.map((e) => e.type)).toEqual(['BatchProduced', 'CustodyTransferDispatched', 'CustodyTransferReceived', 'BatchConsumed']);
    const asOf = await ok(ledger.get(`/batches/${ids.recycling}/history?asOfPosition=${events[1]!.position}`, recycler.key));
    expect((asOf.events as unknown[]).length).toBe(2);
  });

  it('keeps every organisation’s mass balance exact', async () => {
    for (const org of [sorter, recycler, manufacturer]) {
      const inventory = await ok(ledger.get(`/reports/inventory/${org.id}`, org.key));
      expect(inventory.balanced).toBe(true);
    }
  });

  it('exports the municipal report as JSON and CSV', async () => {
    const report = await ok(ledger.get('/reports/municipal/0657/2026', herning.key));
    expect(JSON.stringify(report)).toContain('0657');
    const csv = await ledger.request('GET', '/reports/municipal/0657/2026?format=csv', { key: herning.key });
    expect(csv.status).toBe(200);
    expect(String(csv.headers['content-type'])).toContain('text/csv');
  });

  it('rebuilds every read model from zero to the same checksum', async () => {
    const live = await ledger.runner.checksum();
    await ledger.runner.rebuild();
    const rebuilt = await ledger.runner.checksum();
    expect(rebuilt.total).toBe(live.total);
  });
});
