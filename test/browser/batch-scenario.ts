import type { LedgerHarness, RegisteredOrganisation } from '../fixtures/ledger-harness.js';

/**
 * One chain, recorded through the API, for the batch page: two collections in Herning → a sorting →
 * mechanical recycling → a pillow made of the fibre and the manufacturer's own offcuts, whose mass
 * is then corrected. After a pause (so a moment exists between them, to the second) the pillow goes
 * to a brand that cuts it into bags: a branch the manufacturer may not see. Seen by the
 * manufacturer, the pillow's lineage is three steps upstream and one withheld step downstream.
 */
export interface BatchScenario {
  readonly manufacturer: RegisteredOrganisation;
  readonly brand: RegisteredOrganisation;
  readonly collections: readonly string[];
  readonly sorted: string;
  readonly fibre: string;
  readonly offcuts: string;
  readonly pillow: string;
  readonly bags: string;
  /** A moment (whole second, UTC) after the pillow's mass correction and before it was dispatched. */
  readonly beforeDispatch: string;
  readonly headPosition: number;
}

type Json = Record<string, unknown>;

const COTTON = [{ fibre: 'cotton', share: 10_000 }];

async function ok(response: Promise<{ status: number; body: Json }>, status: number): Promise<Json> {
  const answer = await response;
  if (answer.status !== status) throw new Error(`expected ${status}, got ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function seedBatchScenario(ledger: LedgerHarness): Promise<BatchScenario> {
  const herning = await ledger.registerOrganisation('Herning Kommune', ['municipality'], '0657');
  const sorter = await ledger.registerOrganisation('Midtjysk Sortering A/S', ['collector', 'sorter']);
  const recycler = await ledger.registerOrganisation('Genfiber ApS', ['recycler']);
  const manufacturer = await ledger.registerOrganisation('Pude & Taske ApS', ['manufacturer']);
  const brand = await ledger.registerOrganisation('Mærkevare A/S', ['brand', 'manufacturer']);

  const collect = async (massGrams: number, occurredAt: string) =>
    (await ok(ledger.post('/batches/collections', { kommuneCode: '0657', collectionScheme: 'bring-bank', ewcCode: '20 01 11', massGrams, collectorOrgId: sorter.id, occurredAt }, herning.key), 201)).batchId as string;
  const process = async (key: string, processType: string, inputs: string[], outputs: Json[], lossGrams: number) =>
    (
      await ok(
        ledger.post('/processes', { processType, inputs: inputs.map((batchId) => ({ batchId })), outputs, losses: [{ kind: 'process-waste', massGrams: lossGrams }] }, key),
        201,
      )
    ).outputBatchIds as string[];
  const send = async (batchId: string, from: RegisteredOrganisation, to: RegisteredOrganisation, receivedMassGrams: number) => {
    await ok(ledger.post(`/batches/${batchId}/dispatch`, { toOrgId: to.id }, from.key), 200);
    await ok(ledger.post(`/batches/${batchId}/receive`, { receivedMassGrams }, to.key), 200);
  };

  const year = new Date().getUTCFullYear();
  const collections = [await collect(1_000_000, `${year}-01-10T09:00:00+01:00`), await collect(500_000, `${year}-01-12T09:00:00+01:00`)];
  const [sorted, reuse] = await process(sorter.key, 'sorting', collections, [
    { massGrams: 1_200_000, grade: 'recycling', composition: COTTON },
    { massGrams: 250_000, grade: 'reuse', composition: COTTON },
  ], 50_000);
  void reuse;
  await send(sorted!, sorter, recycler, 1_200_000);
  const [fibre] = await process(recycler.key, 'mechanical-recycling', [sorted!], [{ massGrams: 1_100_000, grade: 'fibre', composition: COTTON }], 100_000);
  await send(fibre!, recycler, manufacturer, 1_100_000);
  const offcuts = (
    await ok(ledger.post('/batches/residuals', { originClass: 'pre-consumer', ewcCode: '04 02 22', massGrams: 200_000, composition: COTTON, description: 'offcuts from our own cutting room' }, manufacturer.key), 201)
  ).batchId as string;
  const [pillow] = await process(
    manufacturer.key,
    'manufacturing',
    [fibre!, offcuts],
    [{ massGrams: 1_250_000, grade: 'product', composition: COTTON, productType: 'pillow', application: 'textile' }],
    50_000,
  );
  const seen = { 'ledger-min-position': String(await ledger.store.headPosition()) };
  const history = (await ok(ledger.request('GET', `/batches/${pillow}/history`, { key: manufacturer.key, headers: seen }), 200)).events as { eventId: string; type: string }[];
  const produced = history.find((event) => event.type === 'BatchProduced');
  if (!produced) throw new Error(`no BatchProduced in ${JSON.stringify(history)}`);
  await ok(ledger.post(`/batches/${pillow}/mass-corrections`, { correctedEventId: produced.eventId, massGrams: 1_248_000, reason: 'Scale recalibrated' }, manufacturer.key), 200);

  // A whole second strictly between the correction's and the dispatch's recorded times.
  await pause(1_100);
  const beforeDispatch = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
  await pause(1_100);

  await send(pillow!, manufacturer, brand, 1_248_000);
  const [bags] = await process(brand.key, 'manufacturing', [pillow!], [{ massGrams: 1_200_000, grade: 'product', composition: COTTON, productType: 'tote bag', application: 'textile' }], 48_000);
  return {
    manufacturer,
    brand,
    collections,
    sorted: sorted!,
    fibre: fibre!,
    offcuts,
    pillow: pillow!,
    bags: bags!,
    beforeDispatch,
    headPosition: await ledger.store.headPosition(),
  };
}
