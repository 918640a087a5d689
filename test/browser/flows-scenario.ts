import type { LedgerHarness, RegisteredOrganisation } from '../fixtures/ledger-harness.js';

const COTTON = [{ fibre: 'cotton', share: 10_000 }];

export interface FlowsScenario {
  readonly year: number;
  readonly kommuneCode: string;
  readonly municipality: RegisteredOrganisation;
  readonly headPosition: number;
}

type Json = Record<string, unknown>;

async function ok(response: Promise<{ status: number; body: Json }>, status = 200): Promise<Json> {
  const answer = await response;
  if (answer.status !== status) throw new Error(`expected ${status}, got ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/**
 * One kommune's year through two collectors, a sorter and a recycler, recorded through the API:
 * collections in the first, second and third quarter (three schemes), one sorting of the first
 * three, reuse sold, residual burnt, the recycling grade weighed heavier on arrival (a weighing
 * gain: a negative flow the diagram cannot draw) and recycled into fibre, and one collection never
 * sorted. Every level of the flows then has more than one band, and the quarters differ.
 */
export async function seedFlowsScenario(ledger: LedgerHarness): Promise<FlowsScenario> {
  const year = 2025;
  const kommuneCode = '0657';
  const municipality = await ledger.registerOrganisation('Herning Kommune', ['municipality'], kommuneCode);
  const collector = await ledger.registerOrganisation('Midtjysk Indsamling', ['collector']);
  const sorter = await ledger.registerOrganisation('Herning Tekstilsortering', ['sorter', 'collector']);
  const recycler = await ledger.registerOrganisation('Fibre Loop ApS', ['recycler']);
  await ledger.authoriseCollector(municipality, collector.id);
  await ledger.authoriseCollector(municipality, sorter.id);
  const collect = async (by: RegisteredOrganisation, collectionScheme: string, massGrams: number, occurredAt: string) =>
    (await ok(ledger.post('/batches/collections', { kommuneCode, collectionScheme, ewcCode: '20 01 11', massGrams, collectorOrgId: by.id, occurredAt }, municipality.key), 201)).batchId as string;
  const ship = async (batchId: string, from: RegisteredOrganisation, to: RegisteredOrganisation, massGrams: number, receivedMassGrams: number) => {
    await ok(ledger.post(`/batches/${batchId}/dispatch`, { toOrgId: to.id, massGrams }, from.key));
    await ok(ledger.post(`/batches/${batchId}/receive`, { receivedMassGrams }, to.key));
  };

  const kerbside = await collect(collector, 'kerbside', 1_200_000, `${year}-02-10T09:00:00+01:00`);
  const bringBank = await collect(sorter, 'bring-bank', 800_000, `${year}-03-12T09:00:00+01:00`);
  const charity = await collect(sorter, 'charity-shop', 500_000, `${year}-05-06T09:00:00+02:00`);
  await collect(collector, 'recycling-centre', 300_000, `${year}-08-20T09:00:00+02:00`);
  await ship(kerbside, collector, sorter, 1_200_000, 1_200_000);
  const sorting = await ok(
    ledger.post(
      '/processes',
      {
        processType: 'sorting',
        inputs: [{ batchId: kerbside }, { batchId: bringBank }, { batchId: charity }],
        outputs: [
          { massGrams: 1_000_000, grade: 'reuse', composition: COTTON },
          { massGrams: 1_200_000, grade: 'recycling', composition: COTTON },
          { massGrams: 250_000, grade: 'residual', composition: COTTON },
        ],
        losses: [{ kind: 'moisture-dust', massGrams: 50_000 }],
      },
      sorter.key,
    ),
    201,
  );
  const [reuse, recycling, residual] = sorting.outputBatchIds as string[];
  await ok(ledger.post(`/batches/${reuse}/outcome`, { outcome: 'sold-for-reuse', market: 'domestic' }, sorter.key));
  await ok(ledger.post(`/batches/${residual}/outcome`, { outcome: 'incinerated', energyRecovery: true }, sorter.key));
  await ship(recycling!, sorter, recycler, 1_200_000, 1_203_000);
  await ok(
    ledger.post(
      '/processes',
      {
        processType: 'mechanical-recycling',
        inputs: [{ batchId: recycling }],
        outputs: [{ massGrams: 1_100_000, grade: 'fibre', composition: COTTON }],
        losses: [{ kind: 'process-waste', massGrams: 103_000 }],
      },
      recycler.key,
    ),
    201,
  );
  return { year, kommuneCode, municipality, headPosition: await ledger.store.headPosition() };
}
